#!/usr/bin/env python3
"""Writes the SSDA903 cases of the malformed-input corpus (tests/malformed_corpus_test.cpp).

Each case is a small, made-up return (no real child: identifiers A1001.. and invented dates) with
one defect. Run from this folder to regenerate them after changing a case: python3 make_cases.py
"""
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))

HEADER_COLUMNS = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB"
HEADER_ROWS = [
    "A1001,1,14/03/2008,WBRI,,,",
    "A1002,2,02/11/2012,WBRI,,,",
    "A1003,1,21/07/2015,WBRI,,,",
    "A1004,2,09/01/2005,WBRI,,,",
    "A1005,1,30/06/2010,WBRI,,,",
    "A1006,2,17/09/2009,WBRI,,,",
]
EPISODE_COLUMNS = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN"
EPISODE_ROWS = [
    "A1001,15/05/2019,S,C2,N1,U4,PR1,10/09/2020,X1,,RM9 4,,",
    "A1001,10/09/2020,P,C2,N1,U6,PR4,,,,RM9 4,,",
    "A1002,03/06/2020,S,C1,N1,U1,PR1,,,,RM10 7,,",
    "A1003,12/08/2020,S,J2,N1,U5,PR1,20/12/2020,E4A,,RM8 2,,",
    "A1004,01/02/2021,S,C2,N1,R1,PR4,,,,IG11 3,,",
    "A1005,11/11/2020,S,C2,N1,U4,PR1,,,,RM9 4,,",
    "A1006,05/10/2019,S,C2,N1,U4,PR1,01/03/2021,E13,,RM6 1,,",
]
UASC_COLUMNS = "CHILD,SEX,DOB,DUC"
UASC_ROWS = ["A1004,2,09/01/2005,09/01/2023"]

CALIBRATE = ["calibrate", "{dir}", "--as-of", "2021-03-31", "--out", "{out}/s.toml"]


def lines(columns, rows, ending="\n"):
    return ending.join([columns] + rows) + ending


def replace_field(rows, index, column_names, column, value):
    names = column_names.split(",")
    fields = rows[index].split(",")
    fields[names.index(column)] = value
    changed = list(rows)
    changed[index] = ",".join(fields)
    return changed


def episodes_with(row, column, value):
    return lines(EPISODE_COLUMNS, replace_field(EPISODE_ROWS, row, EPISODE_COLUMNS, column, value))


def toml_list(items):
    return "[" + ", ".join('"' + item.replace("\\", "\\\\").replace('"', '\\"') + '"' for item in items) + "]"


CASES = []


def case(name, description, files, outcome, output_contains, args=None, reason=None, make_fifo=None,
         folders=None, binary=None):
    CASES.append(dict(name=name, description=description, files=files, outcome=outcome,
                      output_contains=output_contains, args=args or CALIBRATE, reason=reason,
                      make_fifo=make_fifo, folders=folders or [], binary=binary or {}))


def standard(header=None, episodes=None, uasc=None, year="2020"):
    files = {
        f"{year}-header.csv": header if header is not None else lines(HEADER_COLUMNS, HEADER_ROWS),
        f"{year}-episodes.csv": episodes if episodes is not None else lines(EPISODE_COLUMNS, EPISODE_ROWS),
    }
    if uasc is not False:
        files[f"{year}-uasc.csv"] = uasc if uasc is not None else lines(UASC_COLUMNS, UASC_ROWS)
    return files


# --- Implausible dates: cleaning rules, counted and located, never stretching the window --------

case("decom_year_9999", "a single DECOM of 31/12/9999 (once stretched the data window to 583 years)",
     standard(episodes=episodes_with(2, "DECOM", "31/12/9999")), "accepted",
     ["1  episodes starting (DECOM) before 1990", "2020-episodes.csv:4, column DECOM",
      "events and time at risk from 2020-04-01 (1.0 years)", "Starting population"],
     reason="dropped by the start_implausible cleaning rule, counted and located in the report; the window "
            "is set by the other episodes")
case("decom_year_1900", "a DECOM of 01/01/1900", standard(episodes=episodes_with(3, "DECOM", "01/01/1900")),
     "accepted", ["1  episodes starting (DECOM) before 1990", "2020-episodes.csv:5, column DECOM"],
     reason="dropped by the start_implausible cleaning rule, counted and located")
case("decom_after_collection_year", "a DECOM two years after the return's collection year",
     standard(episodes=episodes_with(4, "DECOM", "01/06/2022")), "accepted",
     ["1  episodes starting (DECOM) before 1990", "2020-episodes.csv:6, column DECOM"],
     reason="a return named 2020 cannot hold a start after 31 March 2021 (2020-21) or 2022 (2020-22 read "
            "generously): dropped by start_implausible")
case("dec_year_9999", "a DEC of 31/12/9999", standard(episodes=episodes_with(3, "DEC", "31/12/9999")), "accepted",
     ["1  episodes ending (DEC) more than a year after", "2020-episodes.csv:5, column DEC"],
     reason="the end is ignored by the end_implausible rule (the episode reads as open), counted and located")
case("dob_year_1900", "a date of birth of 01/01/1900", standard(header=lines(HEADER_COLUMNS, replace_field(
    HEADER_ROWS, 1, HEADER_COLUMNS, "DOB", "01/01/1900"))), "accepted",
     ["1  header rows whose date of birth (DOB) is before 1990", "2020-header.csv:3, column DOB",
      "1  episodes of children with no row in any header file"],
     reason="the header row is dropped by birth_implausible, and the child's episode then has no header")
case("dob_in_the_future", "a date of birth after the collection year", standard(header=lines(
    HEADER_COLUMNS, replace_field(HEADER_ROWS, 2, HEADER_COLUMNS, "DOB", "01/01/2030"))), "accepted",
     ["1  header rows whose date of birth (DOB) is before 1990", "2020-header.csv:4, column DOB"],
     reason="dropped by birth_implausible, counted and located")
case("dob_after_decom", "a date of birth after the child's first DECOM", standard(header=lines(
    HEADER_COLUMNS, replace_field(HEADER_ROWS, 0, HEADER_COLUMNS, "DOB", "01/01/2020"))), "accepted",
     ["1  episodes starting before the child's date of birth"],
     reason="the episode before birth is dropped by the starts_before_birth cleaning rule")
case("duc_year_1900", "a DUC of 01/01/1900", standard(uasc=lines(UASC_COLUMNS, ["A1004,2,09/01/2005,01/01/1900"])),
     "accepted", ["1  UASC rows whose date of ceasing to be unaccompanied (DUC) is before 1990",
                  "2020-uasc.csv:2, column DUC"],
     reason="the DUC is ignored by uasc_ceased_implausible: the child counts as unaccompanied until 18")
case("dec_before_decom", "an episode ending before it starts", standard(episodes=episodes_with(3, "DEC", "01/01/2020")),
     "accepted", ["1  episodes ending (DEC) before they start (DECOM)"],
     reason="dropped by the ends_before_start cleaning rule")

# --- Collection years ---------------------------------------------------------------------------

def with_year_column(value):
    rows = ["2020," + row for row in EPISODE_ROWS]
    rows[1] = value + "," + EPISODE_ROWS[1]
    return lines("YEAR," + EPISODE_COLUMNS, rows)


case("year_with_decimal", "a YEAR of 2021.0 (a spreadsheet's reformatting)", standard(episodes=with_year_column("2021.0")),
     "error", ["2020-episodes.csv:3:1", "'YEAR'", "expected a collection year"])
case("year_9999", "a YEAR of 9999", standard(episodes=with_year_column("9999")), "error",
     ["2020-episodes.csv:3:1", "'YEAR'", "outside 1990-2099"])
case("year_span_not_consecutive", "a YEAR of 2020-23", standard(episodes=with_year_column("2020-23")), "error",
     ["2020-episodes.csv:3:1", "'YEAR'", "expected a collection year"])
case("year_span_accepted", "a YEAR of 2020-21 and 2020/2021", standard(episodes=with_year_column("2020/2021")),
     "accepted", ["Starting population"], reason="both are ordinary ways to write a collection year")
case("file_name_year_1234", "a file named for the year 1234",
     {"1234-header.csv": lines(HEADER_COLUMNS, HEADER_ROWS), "1234-episodes.csv": lines(EPISODE_COLUMNS, EPISODE_ROWS)},
     "error", ["1234-", "outside the collection years 1990-2099"])

# --- Codes and columns --------------------------------------------------------------------------

case("unknown_place", "an unknown PLACE code", standard(episodes=episodes_with(2, "PLACE", "ZZ")), "error",
     ["2020-episodes.csv:4:6", "'PLACE'", "unknown code 'ZZ'"])
case("unknown_legal_status", "an unknown LS code", standard(episodes=episodes_with(1, "LS", "C9")), "error",
     ["2020-episodes.csv:3:4", "'LS'", "unknown code 'C9'"])
case("unknown_end_reason", "an unknown REC code", standard(episodes=episodes_with(3, "REC", "E99")), "error",
     ["2020-episodes.csv:5:9", "'REC'", "unknown code 'E99'"])
case("identifier_in_code_column", "a shifted column puts a date in RNE", standard(episodes=episodes_with(0, "RNE", "15/05/2019")),
     "error", ["2020-episodes.csv:2:3", "'RNE'", "not repeated here"])
case("unknown_sex", "SEX of 9", standard(header=lines(HEADER_COLUMNS, replace_field(HEADER_ROWS, 0, HEADER_COLUMNS, "SEX", "9"))),
     "error", ["2020-header.csv:2:2", "'SEX'", "unknown code '9'"])
case("missing_decom_column", "an episodes file without DECOM",
     standard(episodes=lines(EPISODE_COLUMNS.replace("DECOM", "START"), EPISODE_ROWS)), "error",
     ["2020-episodes.csv:1", "'DECOM'", "no column of this name"])
case("blank_child", "an episode with no CHILD", standard(episodes=episodes_with(2, "CHILD", "")), "error",
     ["2020-episodes.csv:4:1", "'CHILD'", "blank"])
case("unreadable_decom", "a DECOM of 2020-13-45", standard(episodes=episodes_with(2, "DECOM", "2020-13-45")), "error",
     ["2020-episodes.csv:4:2", "'DECOM'", "unreadable date"])
case("two_local_authorities", "rows for two LAs without --la", standard(
    episodes=lines("LA," + EPISODE_COLUMNS, ["E09000002," + row for row in EPISODE_ROWS[:3]] +
                   ["E09000003," + row for row in EPISODE_ROWS[3:]])), "error",
     ["2020-episodes.csv:5:1", "'LA'", "more than one local authority"])
case("repeated_column", "a header naming DEC twice", standard(episodes=lines(EPISODE_COLUMNS.replace("REC", "DEC"), EPISODE_ROWS)),
     "error", ["2020-episodes.csv:1:9", "'DEC'", "appears twice"])

# --- Damaged files ------------------------------------------------------------------------------

case("truncated_inside_quoted_field", "the file ends inside a quoted last field",
     standard(episodes=lines(EPISODE_COLUMNS, EPISODE_ROWS) + 'A1007,01/03/2021,S,C2,N1,U4,PR1,,,,"RM9'),
     "error", ["2020-episodes.csv:9", "never closed"])
case("truncated_short_last_record", "the last record is cut off after a few fields",
     standard(episodes=lines(EPISODE_COLUMNS, EPISODE_ROWS) + "A1007,01/03/2021,S"),
     "error", ["2020-episodes.csv:9", "3 fields but the header has 13"])
case("quote_inside_field", "a stray quote in an unquoted field",
     standard(episodes=episodes_with(2, "HOME_POST", 'RM"9')), "error", ["2020-episodes.csv:4", "malformed quoting"])
case("empty_file", "an empty episodes file", standard(episodes=""), "error", ["2020-episodes.csv", "empty"])
case("header_only", "an episodes file with a header and no rows", standard(episodes=EPISODE_COLUMNS + "\n"),
     "error", ["'--as-of'", "no episode is left"])
case("utf16_file", "a header file saved as UTF-16",
     standard(header=None), "error", ["2020-header.csv:1", "UTF-16"],
     binary={"2020-header.csv": lines(HEADER_COLUMNS, HEADER_ROWS).encode("utf-16")})
case("utf8_bom_and_crlf", "UTF-8 byte order marks and CRLF line ends (as Excel saves CSV)",
     standard(header="\ufeff" + lines(HEADER_COLUMNS, HEADER_ROWS, "\r\n"),
              episodes="\ufeff" + lines(EPISODE_COLUMNS, EPISODE_ROWS, "\r\n"),
              uasc="\ufeff" + lines(UASC_COLUMNS, UASC_ROWS, "\r\n")),
     "accepted", ["Starting population"], reason="Excel's CSV UTF-8: the byte order mark and CRLF are read")
case("no_final_newline", "the last record has no line end", standard(episodes=lines(EPISODE_COLUMNS, EPISODE_ROWS)[:-1]),
     "accepted", ["Starting population"],
     reason="a complete last record without a line end is common in hand-edited files; a record cut short is "
            "caught by its field count, its date or its code")
case("missing_header_year", "episodes for a year with no header file",
     {"2020-episodes.csv": lines(EPISODE_COLUMNS, EPISODE_ROWS)}, "error",
     ["2020-episodes.csv", "no header file for the same year"])

# --- Files that are not regular files -----------------------------------------------------------

case("episodes_fifo_in_folder", "2020-episodes.csv is a FIFO (once hung for ever)",
     {k: v for k, v in standard().items() if k != "2020-episodes.csv"}, "error",
     ["2020-episodes.csv", "is a FIFO"], make_fifo=["2020-episodes.csv"])
case("episodes_fifo_named", "a FIFO given as the episodes file",
     {k: v for k, v in standard().items() if k != "2020-episodes.csv"}, "error",
     ["2020-episodes.csv", "is a FIFO"], make_fifo=["2020-episodes.csv"],
     args=["calibrate", "{dir}/2020-header.csv", "{dir}/2020-episodes.csv", "--as-of", "2021-03-31", "--out",
           "{out}/s.toml"])
case("header_is_a_folder", "a folder named 2020-header.csv in the data folder (once reported as missing)",
     {k: v for k, v in standard().items() if k != "2020-header.csv"}, "error",
     ["2020-header.csv", "is a directory"], folders=["2020-header.csv"])
case("header_folder_named", "a folder given as the header file",
     {k: v for k, v in standard().items() if k != "2020-header.csv"}, "error",
     ["2020-header.csv", "is a directory"], folders=["2020-header.csv"],
     args=["calibrate", "{dir}/2020-header.csv", "{dir}/2020-episodes.csv", "--as-of", "2021-03-31", "--out",
           "{out}/s.toml"])
case("device_as_episodes", "/dev/zero given as the episodes file", standard(), "error",
     ["/dev/zero", "is a device"],
     args=["calibrate", "{dir}/2020-header.csv", "/dev/zero", "--as-of", "2021-03-31", "--out", "{out}/s.toml"])


def write_case(spec):
    folder = os.path.join(HERE, spec["name"])
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    for name, text in spec["files"].items():
        with open(os.path.join(folder, name), "w", encoding="utf-8", newline="") as out:
            out.write(text)
    for name, data in spec["binary"].items():
        with open(os.path.join(folder, name), "wb") as out:
            out.write(data)
    for name in spec["folders"]:
        os.makedirs(os.path.join(folder, name))
        # git keeps no empty folder
        with open(os.path.join(folder, name, "README"), "w") as out:
            out.write("A folder named like an SSDA903 file, for the corpus.\n")
    toml = [f'description = {toml_list([spec["description"]])[1:-1]}',
            f'args = {toml_list(spec["args"])}',
            f'outcome = "{spec["outcome"]}"',
            f'output_contains = {toml_list(spec["output_contains"])}']
    if spec["make_fifo"]:
        toml.append(f'make_fifo = {toml_list(spec["make_fifo"])}')
    if spec["reason"]:
        toml.append(f'reason = {toml_list([spec["reason"]])[1:-1]}')
    with open(os.path.join(folder, "case.toml"), "w") as out:
        out.write("\n".join(toml) + "\n")


if __name__ == "__main__":
    for spec in CASES:
        write_case(spec)
    print(f"{len(CASES)} cases written")
