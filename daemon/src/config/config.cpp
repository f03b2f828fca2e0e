// SPDX-License-Identifier: GPL-3.0-or-later
#include "config/config.hpp"

#include <arpa/inet.h>
#include <grp.h>
#include <pwd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>

#include "config/pem_files.hpp"
#include "plugin_host/yaml_json.hpp"

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <set>

namespace insgate::config {
namespace {

namespace fs = std::filesystem;

/// A YAML node together with its dotted key, for error messages.
struct Field {
  Field(YAML::Node n, std::string k, int line = 0, std::string current = {})
      : node(std::move(n)), key(std::move(k)), key_line(line),
        canonical(current.empty() ? key : std::move(current)) {}

  YAML::Node node;
  std::string key;   ///< as written in the file (an old name stays old), for messages
  int key_line = 0;  ///< 1-based line of `key:` in its mapping, 0 if unknown
  /// The setting's current dotted name (renamed_keys() applied); "" for the root.
  std::string canonical;

  /// The line of the key when known, else of the value; 0 when absent.
  int line() const {
    if (key_line > 0) return key_line;
    if (!node.IsDefined()) return 0;
    return node.Mark().line >= 0 ? node.Mark().line + 1 : 0;
  }
  [[noreturn]] void fail(const std::string& what) const {
    throw ConfigError(key + " (line " + std::to_string(line()) + "): " + what);
  }
};

std::string join(const std::string& parent, const std::string& name) {
  return parent.empty() ? name : parent + "." + name;
}

std::string parent_of(std::string_view dotted) {
  auto dot = dotted.rfind('.');
  return dot == std::string_view::npos ? std::string() : std::string(dotted.substr(0, dot));
}

std::string leaf_of(std::string_view dotted) {
  auto dot = dotted.rfind('.');
  return std::string(dot == std::string_view::npos ? dotted : dotted.substr(dot + 1));
}

/// Current name -> old name, for the keys renamed within their own mapping
/// (a renamed section keeps its renamed children: insi.certificat.cle <- key,
/// whether the section is written certificate or certificat).
const std::map<std::string, std::string>& old_names() {
  static const std::map<std::string, std::string> names = [] {
    std::map<std::string, std::string> current_of;  // old dotted -> current dotted
    for (const auto& r : renamed_keys()) current_of[std::string(r.old_key)] = std::string(r.new_key);
    auto current = [&](const std::string& old_path) {
      auto it = current_of.find(old_path);
      return it != current_of.end() ? it->second : old_path;
    };
    std::map<std::string, std::string> out;
    for (const auto& r : renamed_keys()) {
      const std::string old_key(r.old_key), new_key(r.new_key);
      if (current(parent_of(old_key)) == parent_of(new_key)) out[new_key] = leaf_of(old_key);
    }
    return out;
  }();
  return names;
}

/// The old name of `canonical` in its own mapping, or "".
std::string old_name_of(const std::string& canonical) {
  auto it = old_names().find(canonical);
  return it != old_names().end() ? it->second : std::string();
}

/// The line of `name:` in `map`, 0 when absent.
int key_line_in(const YAML::Node& map, const std::string& name) {
  if (map.IsMap())
    for (const auto& kv : map)
      if (kv.first.IsScalar() && kv.first.Scalar() == name) return kv.first.Mark().line + 1;
  return 0;
}

class Reader {
 public:
  Reader(YAML::Node root, fs::path base, std::vector<std::string>& renamed)
      : root_(std::move(root)), base_(std::move(base)), renamed_(renamed) {}

  /// Child of a map, under its current name or, for a renamed key, its old
  /// one (only_keys() has refused both at once and noted the old one).
  Field child(const Field& parent, const std::string& name) const {
    const std::string canonical = join(parent.canonical, name);
    // (No Field assignment: YAML::Node's operator= writes into the node.)
    if (key_line_in(parent.node, name) == 0 && parent.node.IsMap()) {
      if (auto old = old_name_of(canonical); !old.empty())
        if (int line = key_line_in(parent.node, old); line > 0)
          return Field{parent.node[old], join(parent.key, old), line, canonical};
    }
    return Field{parent.node[name], join(parent.key, name), key_line_in(parent.node, name),
                 canonical};
  }
  /// Refuses any key of `map` outside `allowed` (current names); an old name
  /// of an allowed key is accepted and noted (renamed()), unless the current
  /// name is there too.
  void only_keys(const Field& map, std::set<std::string> allowed) const {
    if (!map.node || map.node.IsNull()) return;
    if (!map.node.IsMap()) map.fail("must be a mapping");
    std::map<std::string, std::string> old_to_new;
    for (const auto& name : allowed)
      if (auto old = old_name_of(join(map.canonical, name)); !old.empty()) old_to_new[old] = name;
    for (const auto& kv : map.node) {
      if (!kv.first.IsScalar()) {
        Field f{kv.first, join(map.key, "(key)"), kv.first.Mark().line + 1};
        f.fail("keys must be plain names");
      }
      auto k = kv.first.Scalar();
      const int line = kv.first.Mark().line + 1;
      if (allowed.count(k)) continue;
      Field f{kv.first, join(map.key, k), line};
      auto renamed = old_to_new.find(k);
      if (renamed == old_to_new.end()) f.fail("unknown key");
      const std::string current = join(map.canonical, renamed->second);
      if (int both = key_line_in(map.node, renamed->second); both > 0)
        f.fail("old name of " + current + ", which is also set (line " + std::to_string(both) +
               "): keep only " + current);
      note_renamed(f.key, line, current);
    }
  }
  /// One warning per old key found: the key as written, its line, the new name.
  void note_renamed(const std::string& written, int line, const std::string& current) const {
    renamed_.push_back(written + " (line " + std::to_string(line) + "): renamed " + current +
                       "; the old name is still read by this release only, write " + current);
  }
  Field require_map(const Field& parent, const std::string& name) const {
    Field f = child(parent, name);
    if (!f.node) missing(parent, f);
    if (!f.node.IsMap()) f.fail("must be a mapping");
    return f;
  }
  std::string string(const Field& parent, const std::string& name, bool required,
                     const std::string& fallback = "") const {
    Field f = child(parent, name);
    if (!f.node || f.node.IsNull()) {
      if (required) missing(parent, f);
      return fallback;
    }
    if (!f.node.IsScalar()) f.fail("must be a string");
    auto v = f.node.as<std::string>();
    if (required && v.empty()) f.fail("must not be empty");
    return v;
  }
  std::string path(const Field& parent, const std::string& name, bool required,
                   bool must_exist) const {
    auto v = string(parent, name, required);
    if (v.empty()) return v;
    // systemd LoadCredential= files: ${CREDENTIALS_DIRECTORY}/name.
    const std::string var = "${CREDENTIALS_DIRECTORY}";
    if (auto at = v.find(var); at != std::string::npos) {
      const char* dir = std::getenv("CREDENTIALS_DIRECTORY");
      if (dir == nullptr || *dir == '\0')
        child(parent, name).fail("uses ${CREDENTIALS_DIRECTORY}, which is not set (run under "
                                 "systemd with LoadCredential=)");
      v.replace(at, var.size(), dir);
    }
    fs::path p(v);
    if (p.is_relative()) p = base_ / p;
    if (must_exist && !fs::exists(p)) child(parent, name).fail("file not found: " + p.string());
    return p.lexically_normal().string();
  }
  std::chrono::milliseconds millis(const Field& parent, const std::string& name,
                                   std::chrono::milliseconds fallback) const {
    Field f = child(parent, name);
    if (!f.node || f.node.IsNull()) return fallback;
    long v = 0;
    try {
      v = f.node.as<long>();
    } catch (const YAML::Exception&) {
      f.fail("must be a whole number of milliseconds");
    }
    if (v <= 0 || v > 3'600'000) f.fail("must be between 1 and 3600000 milliseconds");
    return std::chrono::milliseconds(v);
  }
  bool boolean(const Field& parent, const std::string& name, bool fallback) const {
    Field f = child(parent, name);
    if (!f.node || f.node.IsNull()) return fallback;
    if (!f.node.IsScalar()) f.fail("must be true or false");
    const std::string v = f.node.Scalar();  // YAML 1.2 core booleans only
    if (v == "true" || v == "True" || v == "TRUE") return true;
    if (v == "false" || v == "False" || v == "FALSE") return false;
    f.fail("must be true or false");
  }
  int integer(const Field& parent, const std::string& name, int fallback, int min, int max) const {
    Field f = child(parent, name);
    if (!f.node || f.node.IsNull()) return fallback;
    long v = 0;
    try {
      v = f.node.as<long>();
    } catch (const YAML::Exception&) {
      f.fail("must be a whole number");
    }
    if (v < min || v > max)
      f.fail("must be between " + std::to_string(min) + " and " + std::to_string(max));
    return static_cast<int>(v);
  }
  [[noreturn]] void missing(const Field& parent, const Field& f) const {
    throw ConfigError(f.key + ": required key missing" +
                      (parent.key.empty() ? std::string()
                                          : " (in " + parent.key + ", line " +
                                                std::to_string(parent.line()) + ")"));
  }
  const YAML::Node& root() const { return root_; }

 private:
  YAML::Node root_;
  fs::path base_;
  std::vector<std::string>& renamed_;
};

/// A list of user or group names / numeric ids, resolved now (getpwnam_r /
/// getgrnam_r): an unknown name is an error, not a silently empty rule.
std::vector<unsigned> account_ids(const Reader& r, const Field& parent, const std::string& name,
                                  bool groups) {
  Field f = r.child(parent, name);
  std::vector<unsigned> out;
  if (!f.node || f.node.IsNull()) return out;
  if (!f.node.IsSequence()) f.fail("must be a list of names or numeric ids");
  for (std::size_t i = 0; i < f.node.size(); ++i) {
    Field item{f.node[i], f.key + "[" + std::to_string(i) + "]", 0};
    if (!item.node.IsScalar() || item.node.Scalar().empty()) item.fail("must be a name or a numeric id");
    const std::string v = item.node.Scalar();
    if (std::all_of(v.begin(), v.end(), [](unsigned char ch) { return std::isdigit(ch); })) {
      if (v.size() > 9) item.fail("numeric id out of range");
      out.push_back(static_cast<unsigned>(std::stoul(v)));
      continue;
    }
    std::vector<char> buf(16384);
    int rc = 0;
    if (groups) {
      struct group g{}, *found = nullptr;
      rc = ::getgrnam_r(v.c_str(), &g, buf.data(), buf.size(), &found);
      if (rc != 0 || found == nullptr) item.fail("no such group on this system: " + v);
      out.push_back(found->gr_gid);
    } else {
      struct passwd pw{}, *found = nullptr;
      rc = ::getpwnam_r(v.c_str(), &pw, buf.data(), buf.size(), &found);
      if (rc != 0 || found == nullptr) item.fail("no such user on this system: " + v);
      out.push_back(found->pw_uid);
    }
  }
  return out;
}

/// Splits "IPv4:port" or "[IPv6]:port" of api.tcp.ecoute; true if `address`
/// is loopback (127.0.0.0/8 or ::1).
bool split_listen(const Field& f, const std::string& v, TcpListenerConfig& out) {
  static const std::regex re(R"(([0-9.]+|\[[0-9A-Fa-f:.]+\]):([0-9]{1,5}))");
  std::smatch m;
  if (!std::regex_match(v, m, re))
    f.fail("must be an IP address and a port, e.g. \"127.0.0.1:8443\" or \"[::1]:8443\"");
  std::string host = m[1].str();
  const bool v6 = host.front() == '[';
  if (v6) host = host.substr(1, host.size() - 2);
  const long port = std::stol(m[2].str());
  if (port < 1 || port > 65535) f.fail("port must be between 1 and 65535");
  unsigned char bytes[16] = {};
  if (::inet_pton(v6 ? AF_INET6 : AF_INET, host.c_str(), bytes) != 1)
    f.fail("not a valid IP" + std::string(v6 ? "v6" : "v4") + " address: " + host);
  out.address = host;
  out.port = static_cast<unsigned short>(port);
  if (!v6) return bytes[0] == 127;
  static const unsigned char loopback6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  return std::equal(std::begin(bytes), std::end(bytes), std::begin(loopback6));
}

/// api.tcp: the optional TCP listener (local-api.md, Transport). Off when
/// absent; loopback only unless `tls` (always with client certificates).
void load_tcp(const Reader& r, const Field& api, Config& c) {
  Field tcp = r.child(api, "tcp");
  if (!tcp.node || tcp.node.IsNull()) return;
  if (!tcp.node.IsMap()) tcp.fail("must be a mapping {ecoute, tls}");
  r.only_keys(tcp, {"ecoute", "tls"});
  auto& t = c.api.tcp;
  t.listen = r.string(tcp, "ecoute", true);
  const bool loopback = split_listen(r.child(tcp, "ecoute"), t.listen, t);
  Field tls = r.child(tcp, "tls");
  if (!tls.node || tls.node.IsNull()) {
    if (!loopback)
      r.child(tcp, "ecoute")
          .fail(t.address + " is not a loopback address (127.0.0.0/8, ::1): listening there "
                "needs api.tcp.tls with client certificates (ca_clients)");
    return;
  }
  if (!tls.node.IsMap()) tls.fail("must be a mapping {certificat, cle, ca_clients}");
  r.only_keys(tls, {"certificat", "cle", "ca_clients"});
  t.tls = true;
  if (Field ca = r.child(tls, "ca_clients"); !ca.node || ca.node.IsNull())
    throw ConfigError(ca.key + ": required key missing (in " + tls.key + ", line " +
                      std::to_string(tls.line()) +
                      "): TLS on the TCP listener always requires client certificates; give the "
                      "CA file they must chain to");
  auto& f = t.tls_files;
  f.cert_file = r.path(tls, "certificat", true, true);
  f.key_file = r.path(tls, "cle", true, true);
  f.ca_clients_file = r.path(tls, "ca_clients", true, true);
  auto pair = check_pem_pair(f.cert_file, f.key_file);
  if (!pair.certificate.empty()) r.child(tls, "certificat").fail(pair.certificate);
  if (!pair.key.empty()) r.child(tls, "cle").fail(pair.key);
  if (auto ca = check_pem_ca(f.ca_clients_file); !ca.empty()) r.child(tls, "ca_clients").fail(ca);
}

void load_api(const Reader& r, const Field& top, Config& c) {
  Field api = r.require_map(top, "api");
  r.only_keys(api, {"socket", "mode_socket", "delai_entete_ms", "delai_inactivite_ms",
                    "connexions_max", "utilisateurs_autorises", "groupes_autorises", "tcp"});
  c.api.allowed_uids = account_ids(r, api, "utilisateurs_autorises", false);
  c.api.allowed_gids = account_ids(r, api, "groupes_autorises", true);
  c.api.socket_path = r.path(api, "socket", true, false);
  auto mode = r.string(api, "mode_socket", false, "0660");
  static const std::regex octal("0?[0-7]{3}");
  if (!std::regex_match(mode, octal)) r.child(api, "mode_socket").fail("must be octal, e.g. \"0660\"");
  c.api.socket_mode = static_cast<unsigned>(std::stoul(mode, nullptr, 8));
  c.api.header_timeout = r.millis(api, "delai_entete_ms", c.api.header_timeout);
  c.api.idle_timeout = r.millis(api, "delai_inactivite_ms", c.api.idle_timeout);
  c.api.max_connections = r.integer(api, "connexions_max", c.api.max_connections, 1, 10000);
  load_tcp(r, api, c);
}

/// A `certificat` mapping: PEM certificate + key, or PKCS#12 + passphrase file.
ClientCertificate load_certificate(const Reader& r, const Field& cert) {
  if (!cert.node.IsMap()) cert.fail("must be a mapping {certificat, cle} or {pkcs12, phrase_secrete_fichier}");
  r.only_keys(cert, {"certificat", "cle", "pkcs12", "phrase_secrete_fichier"});
  ClientCertificate cc;
  cc.cert_file = r.path(cert, "certificat", false, true);
  cc.key_file = r.path(cert, "cle", false, true);
  cc.pkcs12_file = r.path(cert, "pkcs12", false, true);
  cc.passphrase_file = r.path(cert, "phrase_secrete_fichier", false, true);
  bool pem = !cc.cert_file.empty() || !cc.key_file.empty();
  if (pem && !cc.pkcs12_file.empty())
    cert.fail("give either certificat + cle (PEM) or pkcs12 + phrase_secrete_fichier, not both");
  if (pem && (cc.cert_file.empty() || cc.key_file.empty()))
    cert.fail("certificat and cle must both be given");
  if (!pem && cc.pkcs12_file.empty()) cert.fail("give certificat + cle (PEM) or pkcs12");
  if (!cc.pkcs12_file.empty() && cc.passphrase_file.empty())
    cert.fail("pkcs12 needs phrase_secrete_fichier");
  return cc;
}

void load_insi(const Reader& r, const Field& top, Config& c) {
  Field insi = r.require_map(top, "insi");
  r.only_keys(insi, {"url", "environnement", "certificat", "ca", "delais", "reprises",
                     "circuit", "rejeu", "signature_xml", "connexions_max"});
  std::string url = r.string(insi, "url", true);
  const Field url_field = r.child(insi, "url");
  c.insi.endpoint = parse_endpoint(url, url_field.line(), url_field.key);
  c.insi.environment = r.string(insi, "environnement", true);
  if (c.insi.environment != "production" && c.insi.environment != "qualification" &&
      c.insi.environment != "test")
    r.child(insi, "environnement").fail("must be production, qualification or test");

  c.insi.signature_xml = r.boolean(insi, "signature_xml", c.insi.signature_xml);
  c.insi.max_connections = r.integer(insi, "connexions_max", c.insi.max_connections, 1, 1000);

  // Required with the single `structure:` block (load_structures checks it).
  if (Field cert = r.child(insi, "certificat"); cert.node && !cert.node.IsNull())
    c.insi.certificate = load_certificate(r, cert);

  Field ca = r.child(insi, "ca");
  if (!ca.node) r.missing(insi, ca);
  if (ca.node.IsScalar()) {
    c.insi.ca_files.push_back(r.path(insi, "ca", true, true));
  } else if (ca.node.IsSequence() && ca.node.size() > 0) {
    for (std::size_t i = 0; i < ca.node.size(); ++i) {
      Field item{ca.node[i], ca.key + "[" + std::to_string(i) + "]", 0};
      if (!item.node.IsScalar()) item.fail("must be a file path");
      std::filesystem::path p(item.node.as<std::string>());
      if (p.is_relative()) p = std::filesystem::path(c.source_path).parent_path() / p;
      if (!std::filesystem::exists(p)) item.fail("file not found: " + p.string());
      c.insi.ca_files.push_back(p.lexically_normal().string());
    }
  } else {
    ca.fail("must be a file path or a non-empty list of file paths");
  }

  Field dl = r.child(insi, "delais");
  r.only_keys(dl, {"connexion_ms", "appel_ms", "requete_ms", "inactivite_ms"});
  if (dl.node) {
    c.insi.deadlines.connect = r.millis(dl, "connexion_ms", c.insi.deadlines.connect);
    c.insi.deadlines.call = r.millis(dl, "appel_ms", c.insi.deadlines.call);
    c.insi.deadlines.request = r.millis(dl, "requete_ms", c.insi.deadlines.request);
    c.insi.deadlines.idle = r.millis(dl, "inactivite_ms", c.insi.deadlines.idle);
  }

  auto& res = c.insi.resilience;
  Field retries = r.child(insi, "reprises");
  r.only_keys(retries, {"max", "attente_ms"});
  if (retries.node) {
    res.max_retries = r.integer(retries, "max", res.max_retries, 0, 2);
    res.backoff = r.millis(retries, "attente_ms", res.backoff);
  }
  Field rejeu = r.child(insi, "rejeu");
  if (rejeu.node && !rejeu.node.IsNull()) {
    if (c.insi.environment == "production")
      rejeu.fail("recorded-answer replay is for integration environments, not production");
    r.only_keys(rejeu, {"repertoire", "reponses"});
    std::string dir = r.path(rejeu, "repertoire", true, true);
    Field list = r.child(rejeu, "reponses");
    if (!list.node || !list.node.IsSequence()) list.fail("must be a list of answers");
    for (std::size_t i = 0; i < list.node.size(); ++i) {
      Field item{list.node[i], list.key + "[" + std::to_string(i) + "]", 0};
      r.only_keys(item, {"nom_naissance", "prenom", "sexe", "date_naissance", "fichier"});
      RejeuEntry e{r.string(item, "nom_naissance", true), r.string(item, "prenom", true),
                   r.string(item, "sexe", true), r.string(item, "date_naissance", true), {}};
      std::filesystem::path f(r.string(item, "fichier", true));
      if (f.is_relative()) f = std::filesystem::path(dir) / f;
      if (!std::filesystem::is_regular_file(f))
        r.child(item, "fichier").fail("file not found: " + f.string());
      e.file = f.lexically_normal().string();
      c.insi.rejeu.push_back(std::move(e));
    }
  }

  Field circuit = r.child(insi, "circuit");
  r.only_keys(circuit, {"echecs", "pause_ms"});
  if (circuit.node) {
    res.circuit_failures = r.integer(circuit, "echecs", res.circuit_failures, 1, 1000);
    res.circuit_cooldown = r.millis(circuit, "pause_ms", res.circuit_cooldown);
  }
}

/// The example file's placeholders (config/insgate.yaml).
constexpr const char* kExampleIdam = "CHANGE-ME";
constexpr const char* kExampleInstance = "00000000-0000-4000-8000-000000000000";

/// Outside environment test, a placeholder left from the example file is an
/// error: INSi would refuse the IDAM (desir_550) and every installation
/// would share one instance UUID. The simulator accepts both.
void refuse_placeholders(const Reader& r, const Field& lps, const Config& c) {
  if (c.insi.environment == "test") return;
  const auto& l = c.call_context.lps;
  if (l.idam == kExampleIdam)
    r.child(lps, "idam").fail("still the example file's placeholder " + std::string(kExampleIdam) +
                              "; give the software's CNDA authorisation number (placeholders are "
                              "refused outside insi.environnement: test)");
  if (l.instance == kExampleInstance)
    r.child(lps, "instance").fail("still the example file's UUID; generate one per installation "
                                  "(uuidgen) (placeholders are refused outside "
                                  "insi.environnement: test)");
}

/// appelants.certificats entry: "CN=…", "OU=…" or "serial=<hex>", normalised.
std::string tls_subject_rule(const Field& item) {
  if (!item.node.IsScalar()) item.fail("must be \"CN=…\", \"OU=…\" or \"serial=<hex>\"");
  const std::string v = item.node.Scalar();
  auto eq = v.find('=');
  std::string attr = eq == std::string::npos ? "" : v.substr(0, eq);
  std::string value = eq == std::string::npos ? "" : v.substr(eq + 1);
  if (value.empty()) item.fail("must be \"CN=…\", \"OU=…\" or \"serial=<hex>\"");
  if (attr == "CN" || attr == "OU") return attr + "=" + value;
  if (attr == "serial") {
    std::string hex;
    for (char ch : value) {
      if (ch == ':' || ch == ' ') continue;
      if (!std::isxdigit(static_cast<unsigned char>(ch))) item.fail("serial must be hexadecimal");
      hex += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    }
    hex.erase(0, std::min(hex.find_first_not_of('0'), hex.size() - 1));
    return "serial=" + hex;
  }
  item.fail("must start with CN=, OU= or serial=");
}

AllowedCallers load_callers(const Reader& r, const Field& st) {
  AllowedCallers a;
  Field ap = r.child(st, "appelants");
  if (!ap.node || ap.node.IsNull()) return a;
  if (!ap.node.IsMap()) ap.fail("must be a mapping {utilisateurs, groupes, certificats}");
  r.only_keys(ap, {"utilisateurs", "groupes", "certificats"});
  a.uids = account_ids(r, ap, "utilisateurs", false);
  a.gids = account_ids(r, ap, "groupes", true);
  Field certs = r.child(ap, "certificats");
  if (certs.node && !certs.node.IsNull()) {
    if (!certs.node.IsSequence()) certs.fail("must be a list of \"CN=…\", \"OU=…\" or \"serial=<hex>\"");
    for (std::size_t i = 0; i < certs.node.size(); ++i)
      a.tls_subjects.push_back(
          tls_subject_rule(Field{certs.node[i], certs.key + "[" + std::to_string(i) + "]", 0}));
  }
  return a;
}

/// The fields every structure has, in `structure:` or in `structures[i]`.
Structure load_structure(const Reader& r, const Field& st) {
  Structure s;
  s.key = st.key;
  s.finess = r.string(st, "finess", true);
  static const std::regex finess("[0-9][0-9AB][0-9]{7}");
  if (!std::regex_match(s.finess, finess))
    r.child(st, "finess").fail("must be a 9-character FINESS number");
  s.name = r.string(st, "nom", true);
  s.categorie = r.string(st, "categorie", false);
  s.file_active_jours = r.integer(st, "file_active_jours", 365, 1, 3650);
  s.callers = load_callers(r, st);
  return s;
}

/// The file that holds a certificate's private key (the PKCS#12 file when
/// there is no PEM key), canonical, to find two structures sharing one.
std::string key_identity(const ClientCertificate& cc) {
  const std::string& f = cc.key_file.empty() ? cc.pkcs12_file : cc.key_file;
  std::error_code ec;
  auto canonical = std::filesystem::weakly_canonical(f, ec);
  return ec ? f : canonical.string();
}

/// `structure:` (one structure, certificate in insi.certificat, emetteur at
/// the top) or `structures:` (a list, each with its own certificat and
/// emetteur). Not both.
void load_structures(const Reader& r, const Field& top, Config& c) {
  Field one = r.child(top, "structure");
  Field list = r.child(top, "structures");
  const bool has_one = one.node && !one.node.IsNull();
  const bool has_list = list.node && !list.node.IsNull();
  if (has_one && has_list)
    list.fail("give either structure (one structure) or structures (a list), not both");
  if (!has_one && !has_list)
    throw ConfigError("structures: required key missing (or structure, for a single structure)");
  if (has_one) {
    Field st = r.require_map(top, "structure");
    r.only_keys(st, {"finess", "nom", "categorie", "file_active_jours", "appelants"});
    Structure s = load_structure(r, st);
    const Field insi = r.child(top, "insi");
    Field cert = r.child(insi, "certificat");
    if (!cert.node || cert.node.IsNull()) r.missing(insi, cert);
    s.certificate = c.insi.certificate;
    s.emetteur = r.string(top, "emetteur", false, s.finess);
    c.structures.push_back(std::move(s));
    return;
  }
  if (Field cert = r.child(r.child(top, "insi"), "certificat"); cert.node && !cert.node.IsNull())
    cert.fail("with structures, each structure has its own certificat: move it into its entry");
  if (Field em = r.child(top, "emetteur"); em.node && !em.node.IsNull())
    em.fail("with structures, give emetteur in each structure's entry");
  if (!list.node.IsSequence() || list.node.size() == 0)
    list.fail("must be a non-empty list of structures {finess, nom, categorie, certificat, ...}");
  std::map<std::string, std::string> finess_seen;  // FINESS -> key of its structure
  std::map<std::string, std::string> key_seen;     // key file -> key of its structure
  for (std::size_t i = 0; i < list.node.size(); ++i) {
    Field item{list.node[i], list.key + "[" + std::to_string(i) + "]", 0};
    if (!item.node.IsMap()) item.fail("must be a mapping {finess, nom, categorie, certificat, ...}");
    r.only_keys(item, {"finess", "nom", "categorie", "file_active_jours", "certificat",
                       "emetteur", "appelants"});
    Structure s = load_structure(r, item);
    if (auto [it, fresh] = finess_seen.emplace(s.finess, s.key); !fresh)
      r.child(item, "finess").fail("FINESS " + s.finess + " already given in " + it->second +
                                   ": each structure once");
    Field cert = r.child(item, "certificat");
    if (!cert.node || cert.node.IsNull()) r.missing(item, cert);
    s.certificate = load_certificate(r, cert);
    if (auto [it, fresh] = key_seen.emplace(key_identity(s.certificate), s.key); !fresh)
      cert.fail("same private key file as " + it->second +
                ": each structure authenticates with its own certificate");
    s.emetteur = r.string(item, "emetteur", false, s.finess);
    c.structures.push_back(std::move(s));
  }
}

void load_identity(const Reader& r, const Field& top, Config& c) {
  load_structures(r, top, c);

  Field lps = r.require_map(top, "lps");
  r.only_keys(lps, {"idam", "nom_logiciel", "version_logiciel", "instance"});
  auto& l = c.call_context.lps;
  l.idam = r.string(lps, "idam", true);
  l.software_name = r.string(lps, "nom_logiciel", false, "insgate");
  l.software_version = r.string(lps, "version_logiciel", false, INSGATE_VERSION);
  l.instance = r.string(lps, "instance", true);
  static const std::regex uuid(
      "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  if (!std::regex_match(l.instance, uuid))
    r.child(lps, "instance").fail("must be a UUID (constant per installation)");
  refuse_placeholders(r, lps, c);
}

void load_state(const Reader& r, const Field& top, Config& c) {
  Field etat = r.child(top, "etat");
  r.only_keys(etat, {"repertoire", "cle_hmac_fichier", "postgresql"});
  if (etat.node) {
    c.state.directory = r.path(etat, "repertoire", false, false);
    if (c.state.directory.empty()) c.state.directory = "/var/lib/insgate";
    c.state.hmac_key_file = r.path(etat, "cle_hmac_fichier", false, true);
    Field pg = r.child(etat, "postgresql");
    if (pg.node) {
      pg = r.require_map(etat, "postgresql");
      r.only_keys(pg, {"conninfo_fichier", "connexions"});
      PostgresConfig p;
      p.conninfo_file = r.path(pg, "conninfo_fichier", true, true);
      p.connections = r.integer(pg, "connexions", p.connections, 1, 256);
      c.state.postgresql = p;
    }
  }
  Field cache = r.child(top, "cache");
  r.only_keys(cache, {"duree_s"});
  if (cache.node)
    c.state.cache_ttl = std::chrono::seconds(r.integer(cache, "duree_s", 24 * 3600, 0, 30 * 24 * 3600));
  Field outbox = r.child(top, "outbox");
  r.only_keys(outbox, {"tentatives_max", "attente_ms", "bail_ms"});
  if (outbox.node) {
    c.state.outbox_max_attempts = r.integer(outbox, "tentatives_max", 20, 1, 1000);
    c.state.outbox_backoff = r.millis(outbox, "attente_ms", c.state.outbox_backoff);
    c.state.outbox_lease = r.millis(outbox, "bail_ms", c.state.outbox_lease);
    if (c.state.outbox_lease < std::chrono::milliseconds(100))
      r.child(outbox, "bail_ms").fail("must be between 100 and 3600000 milliseconds");
  }
}

void load_metrics(const Reader& r, const Field& top, Config& c) {
  Field m = r.child(top, "metriques");
  r.only_keys(m, {"ecoute", "chemin"});
  if (!m.node) return;
  c.metrics.listen = r.string(m, "ecoute", false, c.metrics.listen);
  c.metrics.path = r.string(m, "chemin", false, c.metrics.path);
  if (c.metrics.path.empty() || c.metrics.path[0] != '/') r.child(m, "chemin").fail("must start with /");
}

/// plugins[i].structures: FINESS of configured structures (issue 12), each
/// at most once; absent = the instance serves every structure.
std::vector<std::string> plugin_structures(const Reader& r, const Field& item, const Config& c) {
  std::vector<std::string> out;
  Field list = r.child(item, "structures");
  const YAML::Node n = list.node;
  if (!n || n.IsNull()) return out;
  if (!n.IsSequence() || n.size() == 0)
    list.fail("must be a non-empty list of FINESS of configured structures (or absent: every "
              "structure)");
  for (std::size_t i = 0; i < n.size(); ++i) {
    Field f{n[i], list.key + "[" + std::to_string(i) + "]", 0};
    if (!n[i].IsScalar()) f.fail("must be a FINESS (9 characters)");
    const std::string v = n[i].Scalar();
    const bool known = std::any_of(c.structures.begin(), c.structures.end(),
                                   [&](const auto& s) { return s.finess == v; });
    if (!known) f.fail("not the FINESS of a configured structure: " + v);
    if (std::find(out.begin(), out.end(), v) != out.end()) f.fail("FINESS listed twice: " + v);
    out.push_back(v);
  }
  return out;
}

void load_plugins(const Reader& r, const Field& top, Config& c) {
  Field list = r.child(top, "plugins");
  if (!list.node || list.node.IsNull()) return;
  if (!list.node.IsSequence()) list.fail("must be a list of {nom, chemin, config}");
  std::set<std::string> names;
  for (std::size_t i = 0; i < list.node.size(); ++i) {
    Field item{list.node[i], list.key + "[" + std::to_string(i) + "]", 0};
    if (!item.node.IsMap()) item.fail("must be a mapping {nom, chemin, config, structures}");
    r.only_keys(item, {"nom", "chemin", "config", "structures"});
    plugin_host::PluginConfig p;
    p.name = r.string(item, "nom", true);
    if (!names.insert(p.name).second) r.child(item, "nom").fail("duplicate plugin name");
    // Existence and ABI are checked by the loader, which names the problem.
    p.path = r.path(item, "chemin", true, false);
    Field sub = r.child(item, "config");
    try {
      p.config = sub.node ? plugin_host::yaml_to_json(sub.node) : nlohmann::json::object();
    } catch (const std::exception& e) {
      sub.fail(e.what());
    }
    p.structures = plugin_structures(r, item, c);
    c.plugins.push_back(std::move(p));
  }
}

/// journal.niveau, or log_level at the top as 0.1.0 wrote it (not both).
void load_journal(const Reader& r, const Field& top, Config& c) {
  Field journal = r.child(top, "journal");
  r.only_keys(journal, {"niveau"});
  const int old_line = key_line_in(top.node, "log_level");
  const bool current = journal.node && journal.node.IsMap() && key_line_in(journal.node, "niveau") > 0;
  if (old_line > 0 && current)
    r.child(top, "log_level")
        .fail("old name of journal.niveau, which is also set (line " +
              std::to_string(key_line_in(journal.node, "niveau")) + "): keep only journal.niveau");
  if (old_line > 0) r.note_renamed("log_level", old_line, "journal.niveau");
  const Field& parent = old_line > 0 ? top : journal;
  const std::string name = old_line > 0 ? "log_level" : "niveau";
  if (old_line == 0 && !current) return;  // default level
  c.log_level = r.string(parent, name, false, c.log_level);
  static const std::set<std::string> levels{"trace", "debug", "info", "warn", "error", "off"};
  if (!levels.count(c.log_level))
    r.child(parent, name).fail("must be one of trace, debug, info, warn, error, off");
}

}  // namespace

const std::vector<RenamedKey>& renamed_keys() {
  static const std::vector<RenamedKey> keys{
      {"api.socket_mode", "api.mode_socket"},
      {"api.header_timeout_ms", "api.delai_entete_ms"},
      {"api.idle_timeout_ms", "api.delai_inactivite_ms"},
      {"api.max_connections", "api.connexions_max"},
      {"api.allowed_users", "api.utilisateurs_autorises"},
      {"api.allowed_groups", "api.groupes_autorises"},
      {"insi.endpoint", "insi.url"},
      {"insi.environment", "insi.environnement"},
      {"insi.certificate", "insi.certificat"},
      {"insi.certificate.cert", "insi.certificat.certificat"},
      {"insi.certificate.key", "insi.certificat.cle"},
      {"insi.certificate.passphrase_file", "insi.certificat.phrase_secrete_fichier"},
      {"insi.deadlines", "insi.delais"},
      {"insi.deadlines.connect_ms", "insi.delais.connexion_ms"},
      {"insi.deadlines.call_ms", "insi.delais.appel_ms"},
      {"insi.deadlines.request_ms", "insi.delais.requete_ms"},
      {"insi.retries", "insi.reprises"},
      {"insi.retries.backoff_ms", "insi.reprises.attente_ms"},
      {"insi.circuit.failures", "insi.circuit.echecs"},
      {"insi.circuit.cooldown_ms", "insi.circuit.pause_ms"},
      {"cache.ttl_s", "cache.duree_s"},
      {"outbox.max_tentatives", "outbox.tentatives_max"},
      {"outbox.backoff_ms", "outbox.attente_ms"},
      {"log_level", "journal.niveau"},
  };
  return keys;
}

std::vector<std::string> advisories(const Config& c) {
  std::vector<std::string> out = c.renamed_keys;
  const std::string& env = c.insi.environment;
  const std::string& host = c.insi.endpoint.host;
  auto ends_with = [](const std::string& v, const std::string& suffix) {
    return v.size() >= suffix.size() && v.compare(v.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (env != "test") {
    if (!ends_with(host, ".ameli.fr"))
      out.push_back("insi.url: host " + host + " is not an Assurance Maladie host (*.ameli.fr) "
                    "although insi.environnement is " + env);
    const bool qualif_host = host.find("qualif") != std::string::npos;
    if (env == "production" && qualif_host)
      out.push_back("insi.url: host " + host + " looks like the qualification platform "
                    "although insi.environnement is production");
    if (env == "qualification" && ends_with(host, ".ameli.fr") && !qualif_host)
      out.push_back("insi.url: host " + host + " looks like the production platform "
                    "although insi.environnement is qualification");
  }
  // Outside test, load() refuses the example's placeholders; with the
  // simulator any IDAM but UNKNOWN passes, a shared UUID only deserves a word.
  if (env == "test" && c.call_context.lps.instance == kExampleInstance)
    out.push_back("lps.instance: the example file's UUID; generate one per installation (uuidgen)");
  return out;
}

const Structure* find_structure(const Config& c, std::string_view finess) {
  for (const auto& s : c.structures)
    if (s.finess == finess) return &s;
  return nullptr;
}

Endpoint parse_endpoint(const std::string& url, int line, const std::string& key) {
  // Our own configuration value, not caller input: a regex is fine here.
  static const std::regex re(R"(https://([A-Za-z0-9.-]+|\[[0-9A-Fa-f:]+\])(?::([0-9]{1,5}))?(/[^\s]*)?)");
  std::smatch m;
  if (!std::regex_match(url, m, re))
    throw ConfigError(key + " (line " + std::to_string(line) +
                      "): must be an https:// URL, e.g. https://host:443/lps");
  Endpoint e;
  e.url = url;
  e.host = m[1].str();
  if (!e.host.empty() && e.host.front() == '[') e.host = e.host.substr(1, e.host.size() - 2);
  e.port = m[2].matched ? m[2].str() : "443";
  e.target = m[3].matched ? m[3].str() : "/";
  return e;
}

/// 1-based number of the first line indented with a tab, 0 if none.
int first_tab_indented_line(const std::string& text) {
  int line = 1;
  bool indent = true;  // still in the line's leading white space
  for (char ch : text) {
    if (ch == '\n') {
      ++line;
      indent = true;
    } else if (indent && ch == '\t') {
      return line;
    } else if (ch != ' ') {
      indent = false;
    }
  }
  return 0;
}

Config load(const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    throw ConfigError(path + ": cannot read the configuration file");
  } catch (const YAML::ParserException& e) {
    // yaml-cpp reports a tab as a broken structure ("end of map not found").
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (int tab = first_tab_indented_line(text.str()); tab > 0)
      throw ConfigError(path + " (line " + std::to_string(tab) +
                        "): YAML interdit les tabulations dans l'indentation ; indenter cette "
                        "ligne avec des espaces");
    throw ConfigError(path + " (line " + std::to_string(e.mark.line + 1) +
                      "): YAML syntax error: " + e.msg);
  }
  if (!root.IsMap()) throw ConfigError(path + ": the configuration must be a YAML mapping");
  Config c;
  c.source_path = std::filesystem::absolute(path).string();
  Reader r(root, std::filesystem::path(c.source_path).parent_path(), c.renamed_keys);
  Field top{root, "", 0};
  try {
    // log_level: the 0.1.0 name of journal.niveau, at the top (load_journal).
    r.only_keys(top, {"api", "insi", "structure", "structures", "lps", "emetteur", "journal", "log_level",
                      "plugins", "etat", "cache", "outbox", "metriques"});
    load_api(r, top, c);
    load_insi(r, top, c);
    load_identity(r, top, c);
    load_plugins(r, top, c);
    load_state(r, top, c);
    load_metrics(r, top, c);
    load_journal(r, top, c);
  } catch (const YAML::Exception& e) {
    throw ConfigError(path + " (line " + std::to_string(e.mark.line + 1) + "): " + e.msg);
  }
  return c;
}

}  // namespace insgate::config
