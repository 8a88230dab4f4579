#include "actors/runtime_config.hpp"

#include <fjord/actor_system.hpp>

#include <chrono>
#include <vector>

#include <caf/io/middleman.hpp>
#include <caf/timespan.hpp>

#include "actors/errors.hpp"
#include "actors/tls_settings.hpp"
#include "fjord/configuration.hpp"
#include "messages/checkpoint_messages.hpp"
#include "messages/client_messages.hpp"
#include "messages/data_messages.hpp"
#include "fjord/job_status.hpp"
#include "messages/task_messages.hpp"

namespace fjord {

void add_message_types(caf::actor_system_config& cfg) {
  cfg.add_message_type<partitioning>("fjord.partitioning");
  cfg.add_message_type<restart_strategy_kind>("fjord.restart_strategy_kind");
  cfg.add_message_type<job_state>("fjord.job_state");
  cfg.add_message_type<task_state>("fjord.task_state");
  cfg.add_message_type<record_kind>("fjord.record_kind");
  cfg.add_message_type<vertex_spec>("fjord.vertex_spec");
  cfg.add_message_type<edge_spec>("fjord.edge_spec");
  cfg.add_message_type<checkpoint_settings>("fjord.checkpoint_settings");
  cfg.add_message_type<restart_settings>("fjord.restart_settings");
  cfg.add_message_type<job_graph>("fjord.job_graph");
  cfg.add_message_type<record>("fjord.record");
  cfg.add_message_type<subtask_state>("fjord.subtask_state");
  cfg.add_message_type<completed_checkpoint>("fjord.completed_checkpoint");
  cfg.add_message_type<job_status_report>("fjord.job_status_report");
  cfg.add_message_type<std::vector<job_status_report>>("fjord.job_status_report_list");
  cfg.add_message_type<submit_job>("fjord.submit_job");
  cfg.add_message_type<job_submitted>("fjord.job_submitted");
  cfg.add_message_type<cancel_job>("fjord.cancel_job");
  cfg.add_message_type<request_job_status>("fjord.request_job_status");
  cfg.add_message_type<list_jobs>("fjord.list_jobs");
  cfg.add_message_type<inject_task_failure>("fjord.inject_task_failure");
  cfg.add_message_type<register_task_manager>("fjord.register_task_manager");
  cfg.add_message_type<task_manager_registered>("fjord.task_manager_registered");
  cfg.add_message_type<connect_peers>("fjord.connect_peers");
  cfg.add_message_type<task_deployment>("fjord.task_deployment");
  // The reply to deploy_task: a typed handle travels as its own message type.
  cfg.add_message_type<task_actor>("fjord.task_actor");
  cfg.add_message_type<deploy_task>("fjord.deploy_task");
  cfg.add_message_type<fetch_plugin>("fjord.fetch_plugin");
  cfg.add_message_type<plugin_blob>("fjord.plugin_blob");
  cfg.add_message_type<output_channel>("fjord.output_channel");
  cfg.add_message_type<output_gate>("fjord.output_gate");
  cfg.add_message_type<input_channel>("fjord.input_channel");
  cfg.add_message_type<start_task>("fjord.start_task");
  cfg.add_message_type<cancel_tasks>("fjord.cancel_tasks");
  cfg.add_message_type<task_state_changed>("fjord.task_state_changed");
  cfg.add_message_type<task_metrics>("fjord.task_metrics");
  cfg.add_message_type<end_of_input>("fjord.end_of_input");
  cfg.add_message_type<data_batch>("fjord.data_batch");
  cfg.add_message_type<barrier>("fjord.barrier");
  cfg.add_message_type<credit>("fjord.credit");
  cfg.add_message_type<trigger_checkpoint>("fjord.trigger_checkpoint");
  cfg.add_message_type<acknowledge_checkpoint>("fjord.acknowledge_checkpoint");
  cfg.add_message_type<decline_checkpoint>("fjord.decline_checkpoint");
  cfg.add_message_type<notify_checkpoint_complete>("fjord.notify_checkpoint_complete");
  cfg.add_error_category(errc_category, render_errc);
}

void add_networking(caf::actor_system_config& cfg) {
  cfg.load<caf::io::middleman>();
  cfg.set("middleman.heartbeat-interval", caf::timespan{std::chrono::milliseconds(100)});
  cfg.set("middleman.connection-timeout", caf::timespan{std::chrono::milliseconds(1000)});
  // Plain TCP on a random port of every interface, bypassing TLS: never (tls_settings.hpp).
  cfg.set("middleman.enable-automatic-connections", false);
}

void add_networking(caf::actor_system_config& cfg, const configuration& config) {
  auto tls = tls_settings::from_config(config);
  tls.validate();
  add_networking(cfg);
  tls.apply(cfg);
}

runtime_config::runtime_config(const configuration& config) {
  fjord::add_message_types(*this);
  fjord::add_networking(*this, config);
}

runtime_config::runtime_config(bool with_middleman) {
  fjord::add_message_types(*this);
  if (with_middleman)
    fjord::add_networking(*this);
}

}  // namespace fjord
