import Glibc
import Logging
import PostgresStore
import Spool

/// `winkhook drain --jobs N`: N drainers side by side, each with its own connection and its own share of
/// the segments (by name), so the database works on one batch while the next is read and encoded.
final class DrainJobs: @unchecked Sendable {
    private let directory: String
    private var summaries: [SpoolDrainer.Summary]
    private var progress: [(done: Int, total: Int)]
    private var mutex = pthread_mutex_t()
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
            let job = Job(owner: self, index: index, count: count, report: report)
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
        return summaries.reduce(into: SpoolDrainer.Summary()) { total, part in
            total.segmentsDrained += part.segmentsDrained
            total.stored += part.stored
            total.duplicates += part.duplicates
            total.rejected += part.rejected
            total.keptAside += part.keptAside
            total.batches += part.batches
            total.activeSegments += part.activeSegments
            total.problems += part.problems
            total.stoppedBecause = total.stoppedBecause ?? part.stoppedBecause
        }
    }

    private final class Job: @unchecked Sendable {
        let owner: DrainJobs
        let index: Int
        let count: Int
        let report: (Int, Int) -> Void
        init(owner: DrainJobs, index: Int, count: Int, report: @escaping (Int, Int) -> Void) {
            self.owner = owner
            self.index = index
            self.count = count
            self.report = report
        }
    }

    private func runJob(_ job: Job) {
        let drainer = SpoolDrainer(directory: directory, shard: (job.index, job.count))
        let summary = drainer.drain(into: makeStore()) { done, total in
            self.locked {
                self.progress[job.index] = (done, total)
                let sum = self.progress.reduce((0, 0)) { ($0.0 + $1.done, $0.1 + $1.total) }
                job.report(sum.0, sum.1)
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
