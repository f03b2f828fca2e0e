// SPDX-License-Identifier: GPL-3.0-or-later
// INSEE country codes → ISO 3166-1 alpha-3 (see cog_pays.hpp for the source).
#include "identity/cog_pays.hpp"

#include <algorithm>
#include <array>
#include <iterator>

namespace insgate::identity {
namespace {

struct Pays {
  std::string_view insee;  ///< 3 digits after "99"
  std::string_view iso3;
};

// Sorted by INSEE code. INSEE COG 2025, current countries and territories
// that have an ISO 3166 code (territories without one are left out).
constexpr std::array kPays = std::to_array<Pays>({
    {"100", "FRA"}, {"101", "DNK"}, {"102", "ISL"}, {"103", "NOR"}, {"104", "SWE"},
    {"105", "FIN"}, {"106", "EST"}, {"107", "LVA"}, {"108", "LTU"}, {"109", "DEU"},
    {"110", "AUT"}, {"111", "BGR"}, {"112", "HUN"}, {"113", "LIE"}, {"114", "ROU"},
    {"116", "CZE"}, {"117", "SVK"}, {"118", "BIH"}, {"119", "HRV"}, {"120", "MNE"},
    {"121", "SRB"}, {"122", "POL"}, {"123", "RUS"}, {"125", "ALB"}, {"126", "GRC"},
    {"127", "ITA"}, {"128", "SMR"}, {"129", "VAT"}, {"130", "AND"}, {"131", "BEL"},
    {"132", "GBR"}, {"133", "GIB"}, {"134", "ESP"}, {"135", "NLD"}, {"136", "IRL"},
    {"137", "LUX"}, {"138", "MCO"}, {"139", "PRT"}, {"140", "CHE"}, {"144", "MLT"},
    {"145", "SVN"}, {"148", "BLR"}, {"151", "MDA"}, {"155", "UKR"}, {"156", "MKD"},
    {"158", "FRO"}, {"160", "ALA"},
    {"201", "SAU"}, {"203", "IRQ"}, {"204", "IRN"}, {"205", "LBN"}, {"206", "SYR"},
    {"207", "ISR"}, {"208", "TUR"}, {"212", "AFG"}, {"213", "PAK"}, {"214", "BTN"},
    {"215", "NPL"}, {"216", "CHN"}, {"217", "JPN"}, {"219", "THA"}, {"220", "PHL"},
    {"222", "JOR"}, {"223", "IND"}, {"224", "MMR"}, {"225", "BRN"}, {"226", "SGP"},
    {"227", "MYS"}, {"229", "MDV"}, {"230", "HKG"}, {"231", "IDN"}, {"232", "MAC"},
    {"234", "KHM"}, {"235", "LKA"}, {"236", "TWN"}, {"238", "PRK"}, {"239", "KOR"},
    {"240", "KWT"}, {"241", "LAO"}, {"242", "MNG"}, {"243", "VNM"}, {"246", "BGD"},
    {"247", "ARE"}, {"248", "QAT"}, {"249", "BHR"}, {"250", "OMN"}, {"251", "YEM"},
    {"252", "ARM"}, {"253", "AZE"}, {"254", "CYP"}, {"255", "GEO"}, {"256", "KAZ"},
    {"257", "KGZ"}, {"258", "UZB"}, {"259", "TJK"}, {"260", "TKM"}, {"261", "PSE"},
    {"262", "TLS"},
    {"301", "EGY"}, {"302", "LBR"}, {"303", "ZAF"}, {"304", "GMB"}, {"306", "SHN"},
    {"308", "IOT"}, {"309", "TZA"}, {"310", "ZWE"}, {"311", "NAM"}, {"312", "COD"},
    {"313", "ESP"}, {"314", "GNQ"}, {"315", "ETH"}, {"316", "LBY"}, {"317", "ERI"},
    {"318", "SOM"}, {"319", "PRT"}, {"321", "BDI"}, {"322", "CMR"}, {"323", "CAF"},
    {"324", "COG"}, {"326", "CIV"}, {"327", "BEN"}, {"328", "GAB"}, {"329", "GHA"},
    {"330", "GIN"}, {"331", "BFA"}, {"332", "KEN"}, {"333", "MDG"}, {"334", "MWI"},
    {"335", "MLI"}, {"336", "MRT"}, {"337", "NER"}, {"338", "NGA"}, {"339", "UGA"},
    {"340", "RWA"}, {"341", "SEN"}, {"342", "SLE"}, {"343", "SDN"}, {"344", "TCD"},
    {"345", "TGO"}, {"346", "ZMB"}, {"347", "BWA"}, {"348", "LSO"}, {"349", "SSD"},
    {"350", "MAR"}, {"351", "TUN"}, {"352", "DZA"}, {"389", "ESH"}, {"390", "MUS"},
    {"391", "SWZ"}, {"392", "GNB"}, {"393", "MOZ"}, {"394", "STP"}, {"395", "AGO"},
    {"396", "CPV"}, {"397", "COM"}, {"398", "SYC"}, {"399", "DJI"},
    {"401", "CAN"}, {"404", "USA"}, {"405", "MEX"}, {"406", "CRI"}, {"407", "CUB"},
    {"408", "DOM"}, {"409", "GTM"}, {"410", "HTI"}, {"411", "HND"}, {"412", "NIC"},
    {"413", "PAN"}, {"414", "SLV"}, {"415", "ARG"}, {"416", "BRA"}, {"417", "CHL"},
    {"418", "BOL"}, {"419", "COL"}, {"420", "ECU"}, {"421", "PRY"}, {"422", "PER"},
    {"423", "URY"}, {"424", "VEN"}, {"426", "JAM"}, {"428", "GUY"}, {"429", "BLZ"},
    {"430", "GRL"}, {"431", "ABW"}, {"433", "TTO"}, {"434", "BRB"}, {"435", "GRD"},
    {"436", "BHS"}, {"437", "SUR"}, {"438", "DMA"}, {"439", "LCA"}, {"440", "VCT"},
    {"441", "ATG"}, {"442", "KNA"}, {"443", "BES"}, {"444", "CUW"}, {"445", "SXM"},
    {"501", "AUS"}, {"502", "NZL"}, {"503", "PCN"}, {"506", "WSM"}, {"507", "NRU"},
    {"508", "FJI"}, {"509", "TON"}, {"510", "PNG"}, {"511", "TUV"}, {"512", "SLB"},
    {"513", "KIR"}, {"514", "VUT"}, {"515", "MHL"}, {"516", "FSM"}, {"517", "PLW"},
    {"520", "COK"}, {"521", "NIU"}, {"699", "ATA"},
});

static_assert(std::is_sorted(kPays.begin(), kPays.end(),
                             [](const Pays& a, const Pays& b) { return a.insee < b.insee; }));

}  // namespace

std::optional<std::string_view> iso3166_alpha3_of_cog(std::string_view cog) {
  // Shape only (the departement ranges are normalise_lieu_naissance's job):
  // kept free of traits.cpp so that plugins can compile this file alone.
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (cog.size() != 5 || !digit(cog[2]) || !digit(cog[3]) || !digit(cog[4])) return std::nullopt;
  const bool corse = cog[0] == '2' && (cog[1] == 'A' || cog[1] == 'B');
  if (!corse && (!digit(cog[0]) || !digit(cog[1]) || cog.substr(0, 2) == "00")) return std::nullopt;
  if (cog.substr(0, 2) != "99") return "FRA";
  const std::string_view code = cog.substr(2);
  auto it = std::lower_bound(kPays.begin(), kPays.end(), code,
                             [](const Pays& p, std::string_view c) { return p.insee < c; });
  if (it == kPays.end() || it->insee != code) return std::nullopt;
  return it->iso3;
}

}  // namespace insgate::identity
