// Helpers the unit tests of several directories share: a temporary directory,
// and a pipe written from a thread of its own in pieces of varying size.
#pragma once

#include <catch2/catch.hpp>

#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <thread>

namespace unit_test {

// A directory of the test's own, removed with everything in it at the end.
struct TempDir {
    std::filesystem::path path;

    explicit TempDir(const std::string& prefix) {
        std::string tmpl = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
        REQUIRE(mkdtemp(tmpl.data()) != nullptr);
        path = tmpl;
    }
    ~TempDir() { std::filesystem::remove_all(path); }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    // The path of `name` inside it.
    std::string file(const std::string& name) const { return (path / name).string(); }
};

// Writes `text` into a pipe from a thread of its own, in pieces of 1 to 700
// bytes, so that reads end anywhere in a line, then closes the writing end.
// fd() is the reading end, closed with the writer.
class PipeWriter {
public:
    explicit PipeWriter(std::string text) : text_(std::move(text)) {
        REQUIRE(::pipe(fds_) == 0);
        thread_ = std::thread([this] {
            std::size_t at = 0, piece = 1;
            while (at < text_.size()) {
                ssize_t w = ::write(fds_[1], text_.data() + at, std::min(text_.size() - at, piece));
                if (w <= 0) break;
                at += static_cast<std::size_t>(w);
                piece = piece * 7 % 701 + 1;
            }
            ::close(fds_[1]);
        });
    }
    ~PipeWriter() {
        thread_.join();
        ::close(fds_[0]);
    }
    PipeWriter(const PipeWriter&) = delete;
    PipeWriter& operator=(const PipeWriter&) = delete;

    int fd() const { return fds_[0]; }

private:
    std::string text_;
    int fds_[2] = {-1, -1};
    std::thread thread_;
};

}  // namespace unit_test
