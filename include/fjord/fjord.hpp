// Fjord's public API in one include.
//   fjord/actor_system.hpp                        add Fjord to your caf::actor_system_config
//   fjord/local_cluster.hpp                       a JobManager and TaskManagers in your actor system
//   fjord/client.hpp                              submit, status, list, cancel, wait (local or remote)
//   fjord/job.hpp                                 a job from a JSON spec, or built in C++
//   fjord/job_status.hpp                          job_state and the status report
//   fjord/errc.hpp                                the error codes every call returns, describe()
//   fjord/configuration.hpp                       flat configuration keys (files, -D overrides)
//   fjord/spec_error.hpp                          the exception of a bad spec or parameter
//   fjord/operator.hpp, fjord/typed_operator.hpp  write operators (sources, transformations, sinks)
//   fjord/operator_params.hpp                     read an operator's "params" from the job spec
//   fjord/operator_registry.hpp                   register operators under the names specs use
//   fjord/state_bytes.hpp                         snapshot state to bytes and back (cereal)
//   fjord/plugin.hpp                              FJORD_PLUGIN: an operator plugin's entry point
//   fjord/cli.hpp                                 the whole `fjord` command line in your program
//   fjord/version.hpp                             FJORD_VERSION, library_version()
// Link Fjord::fjord (find_package(Fjord)).
#pragma once

#include <fjord/actor_system.hpp>
#include <fjord/cli.hpp>
#include <fjord/client.hpp>
#include <fjord/configuration.hpp>
#include <fjord/errc.hpp>
#include <fjord/job.hpp>
#include <fjord/job_status.hpp>
#include <fjord/local_cluster.hpp>
#include <fjord/operator.hpp>
#include <fjord/operator_params.hpp>
#include <fjord/operator_registry.hpp>
#include <fjord/plugin.hpp>
#include <fjord/record.hpp>
#include <fjord/spec_error.hpp>
#include <fjord/state_bytes.hpp>
#include <fjord/typed_operator.hpp>
#include <fjord/version.hpp>
