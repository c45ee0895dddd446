// SPDX-License-Identifier: Apache-2.0
// The error responses of the handler chain, byte for byte as kube-scheduler's apiserver filters
// write them: metav1.Status JSON for 401 (WithAuthentication's Unauthorized) and 403
// (responsewriters.Forbidden), http.Error text for 500 (InternalError, panic recovery) and the
// mux's 404 ("404 page not found").
#pragma once

#include <string>
#include <string_view>

#include "core/server/http_types.hpp"

namespace multisched::server {

// apiserver's isPrettyPrint: `?pretty=<bool>` decides when given, else a user agent starting with
// "curl", "Wget" or "Mozilla/5.0" gets indented JSON.
bool wants_pretty_json(const request& req);

// A metav1.Status failure object as Go's encoding/json writes it (field order kind, apiVersion,
// metadata, status, message, reason, details, code; `details: {}` only when `with_details`),
// followed by a newline. `pretty` indents by two spaces like json.MarshalIndent.
std::string status_json(unsigned code, std::string_view reason, std::string_view message,
                        bool with_details, bool pretty);

// 401 {"message":"Unauthorized","reason":"Unauthorized"}.
response unauthorized_response(const request& req);

// 403 for a non-resource request: message `forbidden: User "<user>" cannot <verb> path "<path>"`
// and, when the authorizer gave one, `: <reason>`.
response forbidden_response(const request& req, std::string_view user, std::string_view verb,
                            std::string_view reason);

// 500 text `Internal Server Error: "<RequestURI>": <err>` (authorizer errors).
response internal_error_response(const request& req, std::string_view err);

// 500 text of the panic-recovery filter.
response panic_response();

// 404 text of the mux when no path matches.
response not_found_response();

}  // namespace multisched::server
