#include "actors/runtime_config.hpp"

#include <chrono>
#include <vector>

#include <caf/io/middleman.hpp>
#include <caf/timespan.hpp>

#include "actors/errors.hpp"
#include "messages/checkpoint_messages.hpp"
#include "messages/client_messages.hpp"
#include "messages/data_messages.hpp"
#include "messages/job_status.hpp"
#include "messages/task_messages.hpp"

namespace fjord {

runtime_config::runtime_config(bool with_middleman) {
  add_message_type<partitioning>("fjord.partitioning");
  add_message_type<restart_strategy_kind>("fjord.restart_strategy_kind");
  add_message_type<job_state>("fjord.job_state");
  add_message_type<task_state>("fjord.task_state");
  add_message_type<record_kind>("fjord.record_kind");
  add_message_type<vertex_spec>("fjord.vertex_spec");
  add_message_type<edge_spec>("fjord.edge_spec");
  add_message_type<checkpoint_settings>("fjord.checkpoint_settings");
  add_message_type<restart_settings>("fjord.restart_settings");
  add_message_type<job_graph>("fjord.job_graph");
  add_message_type<record>("fjord.record");
  add_message_type<subtask_state>("fjord.subtask_state");
  add_message_type<completed_checkpoint>("fjord.completed_checkpoint");
  add_message_type<job_status_report>("fjord.job_status_report");
  add_message_type<std::vector<job_status_report>>("fjord.job_status_report_list");
  add_message_type<submit_job>("fjord.submit_job");
  add_message_type<job_submitted>("fjord.job_submitted");
  add_message_type<cancel_job>("fjord.cancel_job");
  add_message_type<request_job_status>("fjord.request_job_status");
  add_message_type<list_jobs>("fjord.list_jobs");
  add_message_type<inject_task_failure>("fjord.inject_task_failure");
  add_message_type<register_task_manager>("fjord.register_task_manager");
  add_message_type<task_manager_registered>("fjord.task_manager_registered");
  add_message_type<task_deployment>("fjord.task_deployment");
  // The reply to deploy_task: a typed handle travels as its own message type.
  add_message_type<task_actor>("fjord.task_actor");
  add_message_type<deploy_task>("fjord.deploy_task");
  add_message_type<output_channel>("fjord.output_channel");
  add_message_type<output_gate>("fjord.output_gate");
  add_message_type<input_channel>("fjord.input_channel");
  add_message_type<start_task>("fjord.start_task");
  add_message_type<cancel_tasks>("fjord.cancel_tasks");
  add_message_type<task_state_changed>("fjord.task_state_changed");
  add_message_type<task_metrics>("fjord.task_metrics");
  add_message_type<end_of_input>("fjord.end_of_input");
  add_message_type<data_batch>("fjord.data_batch");
  add_message_type<barrier>("fjord.barrier");
  add_message_type<credit>("fjord.credit");
  add_message_type<trigger_checkpoint>("fjord.trigger_checkpoint");
  add_message_type<acknowledge_checkpoint>("fjord.acknowledge_checkpoint");
  add_message_type<decline_checkpoint>("fjord.decline_checkpoint");
  add_message_type<notify_checkpoint_complete>("fjord.notify_checkpoint_complete");
  add_error_category(errc_category, render_errc);
  if (with_middleman) {
    load<caf::io::middleman>();
    set("middleman.heartbeat-interval", caf::timespan{std::chrono::milliseconds(100)});
    set("middleman.connection-timeout", caf::timespan{std::chrono::milliseconds(1000)});
  }
}

}  // namespace fjord
