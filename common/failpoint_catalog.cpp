// The failpoints of Fjord (see failpoints.hpp), one line each for `fjord failpoints`. A name
// says where it sits: `<component>.<step>`; ".before" and ".after" bracket one durable write.
#include "common/failpoints.hpp"

namespace fjord::failpoint {

const std::vector<info>& catalog() {
  static const std::vector<info> all{
    {"jobgraph.persist.before", "jobmanager", "a submitted job graph is about to be persisted"},
    {"jobgraph.persist.after", "jobmanager",
     "a submitted job graph is persisted, the client not answered yet"},
    {"leader.info.written", "jobmanager",
     "the new leader wrote its address to /leader, no job recovered yet"},
    {"storage.file.write", "jobmanager",
     "a state file (graph or checkpoint) is about to be written (error: the write fails)"},
    {"storage.file.written", "jobmanager",
     "a state file is written and renamed, no znode points at it yet"},
    {"storage.file.read", "jobmanager", "a state file is about to be read (error: the read fails)"},
    {"storage.file.delete", "jobmanager", "a state file is about to be deleted"},
    {"checkpoint.counter.increment", "jobmanager",
     "the checkpoint id counter is about to be compare-and-set"},
    {"checkpoint.add.before", "jobmanager", "a completed checkpoint is about to be stored"},
    {"checkpoint.add.after", "jobmanager",
     "a completed checkpoint's znode exists (older ones subsumed), the tasks not notified yet"},
    {"checkpoint.notify.sent", "jobmanager",
     "notify_checkpoint_complete was sent to every task of a checkpoint"},
    {"job.result.written", "jobmanager",
     "a job that ended has its result recorded, its checkpoints not deleted yet"},
    {"job.checkpoints.deleted", "jobmanager",
     "an ended job's checkpoints and counter are deleted, its graph not removed yet"},
    {"job.graph.removed", "jobmanager", "an ended job's graph is removed: nothing of it is left"},
    {"task.snapshot.before", "taskmanager", "a task is about to snapshot its operator"},
    {"task.acknowledge.sent", "taskmanager", "a task acknowledged a checkpoint"},
    {"sink.write", "taskmanager", "a transactional_file sink is about to write records"},
    {"sink.stage", "taskmanager",
     "a sink synced its in-progress file, about to rename it to its staged name"},
    {"sink.staged", "taskmanager", "a sink's staged file is renamed and its directory synced"},
    {"sink.commit", "taskmanager", "a sink is about to commit a staged file (rename)"},
    {"sink.committed", "taskmanager", "a sink committed the files of a completed checkpoint"},
  };
  return all;
}

}  // namespace fjord::failpoint
