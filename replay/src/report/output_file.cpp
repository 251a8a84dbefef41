// Atomic outputs (output_file.hpp).
#include "report/output_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "raftsim/core/assert.hpp"

namespace raftsim::replay {
namespace {

namespace fs = std::filesystem;

// A name beside `path` that no other raftsim process uses.
[[nodiscard]] std::string temporary_beside(const std::string& path) {
    return fmt::format("{}.tmp-{}", path, ::getpid());
}

[[nodiscard]] bool write_all(int fd, std::string_view text) {
    while (!text.empty()) {
        const ssize_t written = ::write(fd, text.data(), text.size());
        if (written < 0 && errno == EINTR) {
            continue;
        }
        if (written <= 0) {
            return false;
        }
        text.remove_prefix(static_cast<std::size_t>(written));
    }
    return true;
}

}  // namespace

std::string write_file_atomically(const std::string& path, std::string_view text) {
    RAFT_ASSERT(!path.empty());
    const std::string temporary = temporary_beside(path);
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        return fmt::format("cannot write {}: {}", path, std::strerror(errno));
    }
    const bool written = write_all(fd, text);
    const int saved_errno = errno;
    const bool closed = ::close(fd) == 0;
    if (!written || !closed || ::rename(temporary.c_str(), path.c_str()) != 0) {
        const int code = !written ? saved_errno : errno;
        ::unlink(temporary.c_str());
        return fmt::format("cannot write {}: {}", path, std::strerror(code));
    }
    return "";
}

std::string check_writable(const std::string& path) {
    if (path.empty()) {
        return "an output path is empty";
    }
    std::error_code error;
    if (fs::is_directory(path, error)) {
        return fmt::format("cannot write {}: it is a directory", path);
    }
    const std::string temporary = temporary_beside(path);
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        return fmt::format("cannot write {}: {}", path, std::strerror(errno));
    }
    ::close(fd);
    ::unlink(temporary.c_str());
    return "";
}

std::string prepare_output_directory(const std::string& directory) {
    if (directory.empty()) {
        return "the output directory is empty";
    }
    std::error_code error;
    fs::create_directories(directory, error);
    if (error || !fs::is_directory(directory, error)) {
        return fmt::format("cannot use {} as the output directory: {}", directory,
                           error ? error.message() : "not a directory");
    }
    return check_writable((fs::path(directory) / ".raftsim-write-check").string());
}

}  // namespace raftsim::replay
