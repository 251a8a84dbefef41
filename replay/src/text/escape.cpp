#include "text/escape.hpp"

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

}  // namespace raftsim::replay
