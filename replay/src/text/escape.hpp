#pragma once
// Escaping text for where raftsim writes it: JUnit XML and the HTML diagram
// (whose named entities include XML's five), and the terminal.

#include <string>
#include <string_view>

namespace raftsim::replay {

/// `text` escaped for XML 1.0 character data, or for an attribute value
/// (which also keeps its line breaks and tabs as character references).
/// Control characters XML 1.0 cannot carry at all become '?'.
[[nodiscard]] std::string xml_escape(std::string_view text, bool attribute = false);

/// `text` safe to print on a terminal: anything from input (a scenario's
/// name, a path, an option's value) could carry ANSI escape sequences or
/// line breaks that rewrite what the user sees. Control characters (C0,
/// DEL and the C1 range) and bytes that are not UTF-8 become visible
/// escapes (`\n`, `\x1b`); printable UTF-8 is kept.
[[nodiscard]] std::string terminal_safe(std::string_view text);

}  // namespace raftsim::replay
