// Atoms of Fjord's actors (CAF 0.17 atom constants, at most 10 characters).
#pragma once

#include <caf/atom.hpp>

namespace fjord {

using tick_atom = caf::atom_constant<caf::atom("tick")>;
using poll_atom = caf::atom_constant<caf::atom("poll")>;
using restart_atom = caf::atom_constant<caf::atom("restart")>;
using expire_atom = caf::atom_constant<caf::atom("expire")>;
using next_id_atom = caf::atom_constant<caf::atom("next_id")>;
using add_atom = caf::atom_constant<caf::atom("add")>;
using latest_atom = caf::atom_constant<caf::atom("latest")>;
using shutdown_atom = caf::atom_constant<caf::atom("shutdown")>;
using put_atom = caf::atom_constant<caf::atom("put")>;
using remove_atom = caf::atom_constant<caf::atom("remove")>;
using recover_atom = caf::atom_constant<caf::atom("recover")>;
using grant_atom = caf::atom_constant<caf::atom("grant")>;
using revoke_atom = caf::atom_constant<caf::atom("revoke")>;
using ha_error_atom = caf::atom_constant<caf::atom("ha_error")>;
using fail_atom = caf::atom_constant<caf::atom("fail")>;
using count_atom = caf::atom_constant<caf::atom("count")>;
using retry_atom = caf::atom_constant<caf::atom("retry")>;
/// An ended job's result, checkpoints and graph to be cleaned up (again).
/// A job's restore read to be tried again (attempt, failures so far).
using restore_atom = caf::atom_constant<caf::atom("restore")>;
using clean_up_atom = caf::atom_constant<caf::atom("clean_up")>;

}  // namespace fjord

namespace fjord {

/// Ask a job manager for its leader session id (empty if it is not the leader).
using leader_atom = caf::atom_constant<caf::atom("leader")>;
using confirm_atom = caf::atom_constant<caf::atom("confirm")>;
/// Another JobManager added / removed a job graph (from the job graph store's watch).
using graph_added_atom = caf::atom_constant<caf::atom("g_added")>;
using graph_removed_atom = caf::atom_constant<caf::atom("g_removed")>;
/// Start contending for leadership with this published address.
using start_atom = caf::atom_constant<caf::atom("start")>;
/// The election worker's first message to itself: start the election service.
using start_service_atom = caf::atom_constant<caf::atom("start_svc")>;
/// Leader retrieval tells a cluster TaskManager where the leader is now (address, session).
using leader_changed_atom = caf::atom_constant<caf::atom("leader_chg")>;
/// Ask the job graph store worker for recorded job results (of jobs that ended).
using results_atom = caf::atom_constant<caf::atom("results")>;
/// TaskManager -> its plugin installer: verify, cache and load a fetched operator plugin.
using install_atom = caf::atom_constant<caf::atom("install")>;

}  // namespace fjord
