// insgate spool plugin — file contents for one identity event: the JSON
// document and the HL7 v2.5 ADT^A31 (IHE PAM France), ins-identity-rules.md §5.1.
// Pure functions, no I/O, thread-safe. Errors never carry identity data.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include <insgate/plugin.h>

namespace insgate::spool {

/// HL7 options from the configuration.
struct Hl7Options {
  std::string autorite_ipp = "INSGATE";  ///< PID-3 CX-4 of the local identifier
  std::string etablissement_emetteur;    ///< MSH-4 (optional)
  std::string application_destinataire;  ///< MSH-5 (optional)
  std::string etablissement_destinataire;///< MSH-6 (optional)
  std::string version_pam_france = "2.11";  ///< MSH-12 VID-3: `2.5^FRA^<this>`
};

/// A refusal of the event (no identity data in `message`).
struct Refused {
  std::string message;
};

/// "2024-01-15T10:30:00Z" → "20240115T103000Z"; Refused when not that shape.
std::variant<std::string, Refused> compact_time(std::string_view iso);

/// File-name-safe form of an idempotency key: [A-Za-z0-9._-] kept, every
/// other byte as %XX (so distinct keys never share a file name).
std::string file_key(std::string_view key);

/// @brief MSH-10 (message control id, ST, at most 20 characters in HL7 v2.5)
/// for an idempotency key: the first 20 hexadecimal digits (upper case) of
/// SHA-256(key). Deterministic, so a redelivered event keeps its MSH-10; 80
/// bits, so distinct keys do not meet in practice. The key itself stays in
/// the file name (and in the JSON form); a receiver recomputes the mapping.
std::string hl7_message_control_id(std::string_view idempotency_key);

/// HL7 v2 escaping of one value: \ | ^ & ~ → \E\ \F\ \S\ \T\ \R\, CR/LF → \X0D\ \X0A\.
std::string hl7_escape(std::string_view value);

/// The JSON document (UTF-8, one object, trailing newline).
std::variant<std::string, Refused> to_json(const insgate_event& ev);

/// The ADT^A31 message, segments separated by \r (with a final \r).
std::variant<std::string, Refused> to_hl7(const insgate_event& ev, const Hl7Options& opt);

}  // namespace insgate::spool
