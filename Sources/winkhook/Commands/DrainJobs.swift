import Glibc
import Logging
import PostgresStore
import Spool

/// `winkhook drain --jobs N`: N drainers side by side, each with its own connection, taking the segments
/// oldest first as each is free (a fixed share by name left some with more to do than others, and the
/// cores idle at the end), so the database works on one batch while the next is read and encoded.
final class DrainJobs: @unchecked Sendable {
    private let directory: String
    private var summaries: [SpoolDrainer.Summary]
    private var progress: [(done: Int, total: Int)]
    private var mutex = pthread_mutex_t()
    /// The segments a job has taken this pass. The drain lease alone is not enough among the jobs: a job
    /// could read again from its start a segment another job left to a running writer, and would count
    /// the segments its siblings hold as another drainer's.
    private var taken = Set<String>()
    private let makeStore: @Sendable () -> PostgresEventStore

    init(directory: String, jobs: Int, makeStore: @escaping @Sendable () -> PostgresEventStore) {
        self.directory = directory
        self.makeStore = makeStore
        summaries = Array(repeating: SpoolDrainer.Summary(), count: max(1, jobs))
        progress = Array(repeating: (0, 0), count: max(1, jobs))
        pthread_mutex_init(&mutex, nil)
    }

    deinit { pthread_mutex_destroy(&mutex) }

    /// Runs every job to the end of its pass; `report` is called (under the lock) with the bytes done and
    /// in the spool over all jobs.
    func run(report: @escaping (Int, Int) -> Void) -> SpoolDrainer.Summary {
        let count = summaries.count
        var threads: [pthread_t] = []
        for index in 0..<count {
            let job = Job(owner: self, index: index, report: report)
            let context = Unmanaged.passRetained(job).toOpaque()
            var thread = pthread_t()
            let created = pthread_create(
                &thread, nil,
                { raw in
                    guard let raw else { return nil }
                    let job = Unmanaged<Job>.fromOpaque(raw).takeRetainedValue()
                    job.owner.runJob(job)
                    return nil
                }, context)
            if created == 0 {
                threads.append(thread)
            } else {
                Unmanaged<Job>.fromOpaque(context).release()
                runJob(job)
            }
        }
        for thread in threads { pthread_join(thread, nil) }
        // Each job ends on its own share: the whole spool is done once all are, unless one stopped early.
        if summaries.allSatisfy({ $0.stoppedBecause == nil }), let total = progress.map(\.total).max() {
            locked { report(total, total) }
        }
        return summaries.reduce(into: SpoolDrainer.Summary()) { total, part in
            total.segmentsDrained += part.segmentsDrained
            total.stored += part.stored
            total.duplicates += part.duplicates
            total.rejected += part.rejected
            total.keptAside += part.keptAside
            total.batches += part.batches
            total.activeSegments += part.activeSegments
            total.heldElsewhere += part.heldElsewhere
            total.problems += part.problems
            total.stoppedBecause = total.stoppedBecause ?? part.stoppedBecause
        }
    }

    private final class Job: @unchecked Sendable {
        let owner: DrainJobs
        let index: Int
        let report: (Int, Int) -> Void
        init(owner: DrainJobs, index: Int, report: @escaping (Int, Int) -> Void) {
            self.owner = owner
            self.index = index
            self.report = report
        }
    }

    private func runJob(_ job: Job) {
        let drainer = SpoolDrainer(directory: directory)
        drainer.claim = { name in
            var first = false
            self.locked { first = self.taken.insert(name).inserted }
            return first
        }
        let summary = drainer.drain(into: makeStore()) { done, total in
            self.locked {
                // Each job counts its own segments' bytes against the whole spool.
                self.progress[job.index] = (done, total)
                let sum = self.progress.reduce((0, 0)) { ($0.0 + $1.done, max($0.1, $1.total)) }
                job.report(min(sum.0, sum.1), sum.1)
            }
        }
        locked { summaries[job.index] = summary }
    }

    private func locked(_ body: () -> Void) {
        pthread_mutex_lock(&mutex)
        body()
        pthread_mutex_unlock(&mutex)
    }
}
