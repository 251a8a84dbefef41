#pragma once
// Escaping text for the markup raftsim writes: JUnit XML and the HTML
// diagram (whose named entities include XML's five).

#include <string>
#include <string_view>

namespace raftsim::replay {

/// `text` escaped for XML 1.0 character data, or for an attribute value
/// (which also keeps its line breaks and tabs as character references).
/// Control characters XML 1.0 cannot carry at all become '?'.
[[nodiscard]] std::string xml_escape(std::string_view text, bool attribute = false);

}  // namespace raftsim::replay
