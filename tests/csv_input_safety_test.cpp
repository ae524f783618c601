// CSV inputs that are not what they seem (issue 9): a FIFO, a folder, a UTF-16 file, a file cut off
// inside its last field. Each is refused by name, at once, with the line where that is known.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <random>
#include <string>

#include "core/csv_reader.hpp"
#include "core/errors.hpp"

namespace carecast {
namespace {

namespace fs = std::filesystem;

class CsvInputSafety : public ::testing::Test {
 protected:
  CsvInputSafety()
      : dir_(fs::temp_directory_path() / ("carecast_csv_safety_" + std::to_string(std::random_device{}()))) {
    fs::create_directories(dir_);
  }
  ~CsvInputSafety() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  fs::path write(const std::string& name, const std::string& bytes) const {
    std::ofstream(dir_ / name, std::ios::binary) << bytes;
    return dir_ / name;
  }
  static InputError error_reading(const fs::path& file) {
    try {
      CsvTable::read(file);
    } catch (const InputError& error) {
      return error;
    }
    throw std::runtime_error("reading did not fail");
  }
  fs::path dir_;
};

TEST_F(CsvInputSafety, FifoIsRefusedAtOnceInsteadOfBlocking) {
  const fs::path fifo = dir_ / "episodes.csv";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto reading = std::async(std::launch::async, [&] { return error_reading(fifo); });
  if (reading.wait_for(std::chrono::seconds(5)) != std::future_status::ready) {
    // The read blocked on the FIFO (the defect): give it an end of file so the test can finish.
    const int writer = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
    if (writer >= 0) ::close(writer);
    FAIL() << "reading a FIFO blocked";
  }
  const InputError error = reading.get();
  EXPECT_EQ(error.where().file, fifo.string());
  EXPECT_NE(error.problem().find("FIFO"), std::string::npos) << error.what();
}

TEST_F(CsvInputSafety, FolderAndDeviceAreRefusedByName) {
  fs::create_directory(dir_ / "header.csv");
  const InputError folder = error_reading(dir_ / "header.csv");
  EXPECT_EQ(folder.where().file, (dir_ / "header.csv").string());
  EXPECT_NE(folder.problem().find("directory"), std::string::npos) << folder.what();
  // Once read as "missing or not readable".
  EXPECT_EQ(std::string(folder.what()).find("missing"), std::string::npos) << folder.what();

  const InputError device = error_reading("/dev/zero");
  EXPECT_NE(device.problem().find("device"), std::string::npos) << device.what();
}

TEST_F(CsvInputSafety, Utf16IsRefusedWithAHintAndUtf8ByteOrderMarkIsRead) {
  for (const std::string mark : {std::string("\xFF\xFE"), std::string("\xFE\xFF")}) {
    const fs::path file = write("utf16.csv", mark + std::string("a\0,\0b\0\n\0", 8));
    const InputError error = error_reading(file);
    EXPECT_EQ(error.where().line, 1);
    EXPECT_NE(error.problem().find("UTF-16"), std::string::npos) << error.what();
  }
  const CsvTable table = CsvTable::read(write("utf8.csv", "\xEF\xBB\xBF" "a,b\r\n1,2\r\n"));
  EXPECT_EQ(table.columns().front(), "a");
  EXPECT_EQ(table.row_count(), 1u);
}

TEST_F(CsvInputSafety, FileCutOffInsideItsLastRecordNamesTheLine) {
  // Inside a quoted field: libcsv's CSV_STRICT_FINI reports the quote never closed.
  const InputError quoted = error_reading(write("cut.csv", "a,b,c\n1,2,3\n4,5,\"six"));
  EXPECT_EQ(quoted.where().line, 3) << quoted.what();
  EXPECT_NE(quoted.problem().find("never closed"), std::string::npos) << quoted.what();
  // Inside an unquoted field, after fewer fields than the header has.
  const InputError short_record = error_reading(write("cut.csv", "a,b,c\n1,2,3\n4,5"));
  EXPECT_EQ(short_record.where().line, 3) << short_record.what();
  EXPECT_NE(short_record.problem().find("2 fields but the header has 3"), std::string::npos) << short_record.what();
  // A complete last record without a line end is an ordinary file.
  EXPECT_EQ(CsvTable::read(write("whole.csv", "a,b,c\n1,2,3\n4,5,6")).row_count(), 2u);
}

}  // namespace
}  // namespace carecast
