// A region's page (`carecast report` on a `run REGION` folder): each council's position and the
// region's, side by side, from councils/NAME/forecast.csv and region/forecast.csv, with links to
// each council's own board pack.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "output/report_inputs.hpp"

namespace carecast::report {

struct RegionPageCouncil {
  std::string name;
  Table forecast;  // councils/NAME/forecast.csv
};

struct RegionPage {
  std::string made;      // the date the page was made
  bool publish = false;  // disclosure control: counts rounded to the nearest 5
  std::vector<RegionPageCouncil> councils;
  Table region;  // region/forecast.csv
};

std::string render_region_html(const RegionPage& page);

}  // namespace carecast::report
