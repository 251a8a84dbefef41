// Reading scenario and artifact files (input/suite.hpp): only regular files
// of at most 16 MiB are read, anything else is refused with a reason before
// it is opened or read; a directory argument loads its *.json regular files,
// at most 10000 of them.
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "input/suite.hpp"

namespace raftsim::replay {
namespace {

namespace fs = std::filesystem;

/// A fresh, empty directory under the system's temporary directory, removed
/// again when the test ends.
struct Scratch {
    explicit Scratch(const std::string& name)
        : dir(fs::temp_directory_path() /
              ("raftsim-input-test-" + std::to_string(::getpid()) + "-" + name)) {
        fs::remove_all(dir);
        fs::create_directories(dir);
    }
    ~Scratch() {
        std::error_code ignored;
        fs::remove_all(dir, ignored);
    }
    Scratch(const Scratch&) = delete;
    Scratch& operator=(const Scratch&) = delete;
    fs::path dir;
};

void write(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    REQUIRE(out);
}

/// A Unix socket bound at `path` (kept open until the test ends).
int bind_socket(const fs::path& path) {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    REQUIRE(path.string().size() < sizeof(address.sun_path));
    std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
    REQUIRE(::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0);
    return fd;
}

constexpr std::string_view scenario_text =
    R"({"name": "tiny", "cluster": {"voters": 1}, "steps": []})";

TEST_CASE("input: read_file reads a regular file whole", "[input]") {
    const Scratch scratch("regular");
    const fs::path& dir = scratch.dir;
    write(dir / "s.json", std::string(scenario_text));
    const FileText file = read_file((dir / "s.json").string());
    REQUIRE(file.text.has_value());
    CHECK(*file.text == scenario_text);
    CHECK(file.problem.empty());
    // Exactly 16 MiB is still read.
    fs::resize_file(dir / "s.json", scenarios::max_scenario_file_bytes);
    const FileText at_bound = read_file((dir / "s.json").string());
    REQUIRE(at_bound.text.has_value());
    CHECK(at_bound.text->size() == scenarios::max_scenario_file_bytes);
}

TEST_CASE("input: read_file refuses what is not a regular file, or too large, with a reason",
          "[input]") {
    const Scratch scratch("refused");
    const fs::path& dir = scratch.dir;
    REQUIRE(::mkfifo((dir / "fifo.json").c_str(), 0600) == 0);
    const int socket = bind_socket(dir / "socket.json");
    write(dir / "big.json", "");
    fs::resize_file(dir / "big.json", scenarios::max_scenario_file_bytes + 1);
    fs::create_symlink("/dev/zero", dir / "zero.json");
    struct Case {
        std::string path;
        std::string problem;
    };
    const Case c = GENERATE_COPY(values<Case>({
        {(dir / "fifo.json").string(), "it is a FIFO (a pipe), not a regular file"},
        {(dir / "socket.json").string(), "it is a socket, not a regular file"},
        {"/dev/zero", "it is a character device, not a regular file"},
        {(dir / "zero.json").string(), "it is a character device, not a regular file"},
        {dir.string(), "it is a directory, not a regular file"},
        {(dir / "big.json").string(), "it is larger than 16777216 bytes (16 MiB)"},
        {(dir / "missing.json").string(), "No such file or directory"},
    }));
    CAPTURE(c.path);
    // Opening the FIFO for reading would wait for a writer: returning at
    // all shows it was refused unopened.
    const FileText file = read_file(c.path);
    CHECK_FALSE(file.text.has_value());
    CHECK(file.problem == c.problem);
    ::close(socket);
}

TEST_CASE("input: a scenario path that is not a regular file is refused at \"$\"", "[input]") {
    const Scratch scratch("scenario");
    const fs::path& dir = scratch.dir;
    REQUIRE(::mkfifo((dir / "fifo.json").c_str(), 0600) == 0);
    const LoadResult loaded = load_scenarios({(dir / "fifo.json").string()});
    REQUIRE(loaded.error.has_value());
    CHECK(loaded.error->path == "$");
    CHECK(loaded.error->message ==
          "cannot read the scenario: it is a FIFO (a pipe), not a regular file");
}

TEST_CASE("input: a directory loads its *.json regular files and skips anything else", "[input]") {
    const Scratch scratch("directory");
    const fs::path& dir = scratch.dir;
    write(dir / "b.json", std::string(scenario_text));
    write(dir / "a.json", std::string(scenario_text));
    write(dir / "notes.txt", "not a scenario");
    REQUIRE(::mkfifo((dir / "fifo.json").c_str(), 0600) == 0);
    fs::create_symlink("/dev/zero", dir / "zero.json");
    fs::create_directories(dir / "sub.json");
    const LoadResult loaded = load_scenarios({dir.string()});
    REQUIRE_FALSE(loaded.error.has_value());
    REQUIRE(loaded.scenarios.size() == 2);
    CHECK(loaded.scenarios[0].scenario.source_path == (dir / "a.json").string());
    CHECK(loaded.scenarios[1].scenario.source_path == (dir / "b.json").string());
}

TEST_CASE("input: a directory of more than 10000 .json files is refused", "[input]") {
    const Scratch scratch("many");
    const fs::path& dir = scratch.dir;
    for (int i = 0; i < 10'000; ++i) {
        write(dir / (std::to_string(i) + ".json"), std::string(scenario_text));
    }
    const LoadResult ten_thousand = load_scenarios({dir.string()});
    CHECK_FALSE(ten_thousand.error.has_value());
    CHECK(ten_thousand.scenarios.size() == 10'000);
    write(dir / "one-more.json", std::string(scenario_text));
    const LoadResult refused = load_scenarios({dir.string()});
    REQUIRE(refused.error.has_value());
    CHECK(refused.error->file == dir.string());
    CHECK(refused.error->message == "the directory holds more than 10000 .json files");
}

}  // namespace
}  // namespace raftsim::replay
