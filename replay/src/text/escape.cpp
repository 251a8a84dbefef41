#include "text/escape.hpp"

#include <fmt/format.h>

#include "raftsim/core/assert.hpp"

namespace raftsim::replay {

std::string xml_escape(std::string_view text, bool attribute) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&apos;";
                break;
            case '\n':
                out += attribute ? "&#10;" : "\n";
                break;
            case '\r':
                out += "&#13;";
                break;
            case '\t':
                out += attribute ? "&#9;" : "\t";
                break;
            default:
                // XML 1.0 has no way to carry the other C0 controls, not even
                // as character references.
                out += static_cast<unsigned char>(c) < 0x20 ? '?' : c;
        }
    }
    RAFT_ASSERT(out.size() >= text.size());
    return out;
}

namespace {

// The length of the well-formed UTF-8 sequence at the start of `text`, or 0.
[[nodiscard]] std::size_t utf8_length(std::string_view text) {
    const auto byte = [&text](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned char lead = byte(0);
    const std::size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC2 ? 2 : 0;
    if (length == 0 || lead > 0xF4 || text.size() < length) {
        return 0;
    }
    for (std::size_t i = 1; i < length; ++i) {
        if ((byte(i) & 0xC0U) != 0x80) {
            return 0;
        }
    }
    // Overlong three- and four-byte forms, surrogates and code points past
    // U+10FFFF are not UTF-8.
    const bool overlong = (lead == 0xE0 && byte(1) < 0xA0) || (lead == 0xF0 && byte(1) < 0x90);
    const bool surrogate = lead == 0xED && byte(1) >= 0xA0;
    const bool too_large = lead == 0xF4 && byte(1) >= 0x90;
    return overlong || surrogate || too_large ? 0 : length;
}

}  // namespace

std::string terminal_safe(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x20 && c < 0x7F) {
            out += static_cast<char>(c);
            i += 1;
            continue;
        }
        const std::size_t length = c >= 0x80 ? utf8_length(text.substr(i)) : 0;
        // U+0080..U+009F (C2 80..C2 9F) are the C1 controls: CSI among them.
        const bool c1 = length == 2 && c == 0xC2 && static_cast<unsigned char>(text[i + 1]) < 0xA0;
        if (length > 0 && !c1) {
            out.append(text.substr(i, length));
            i += length;
            continue;
        }
        out += c == '\n'   ? std::string("\\n")
               : c == '\t' ? std::string("\\t")
                           : fmt::format("\\x{:02x}", static_cast<unsigned>(c));
        i += 1;
    }
    RAFT_ASSERT(out.size() >= text.size() || i == text.size());
    return out;
}

}  // namespace raftsim::replay
