// Fjord's public API in one include. What is here today:
//   fjord/operator.hpp, fjord/typed_operator.hpp  write operators (sources, transformations, sinks)
//   fjord/operator_params.hpp                     read an operator's "params" from the job spec
//   fjord/operator_registry.hpp                   register operators under the names specs use
//   fjord/state_bytes.hpp                         snapshot state to bytes and back (cereal)
//   fjord/plugin.hpp                              FJORD_PLUGIN: an operator plugin's entry point
//   fjord/cli.hpp                                 the whole `fjord` command line in your program
//   fjord/version.hpp                             FJORD_VERSION, library_version()
// Link Fjord::fjord (find_package(Fjord)).
#pragma once

#include <fjord/cli.hpp>
#include <fjord/operator.hpp>
#include <fjord/operator_params.hpp>
#include <fjord/operator_registry.hpp>
#include <fjord/plugin.hpp>
#include <fjord/record.hpp>
#include <fjord/state_bytes.hpp>
#include <fjord/typed_operator.hpp>
#include <fjord/version.hpp>
