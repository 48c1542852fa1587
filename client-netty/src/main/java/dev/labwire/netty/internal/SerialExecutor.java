package dev.labwire.netty.internal;

import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks one at a time, in submission order, on a user's executor (which may be a pool): the
 * client's callbacks keep their order and never overlap. A task that throws is logged and the next
 * one runs.
 */
final class SerialExecutor implements Executor {
    private static final Logger LOG = LoggerFactory.getLogger(SerialExecutor.class);

    private final Executor target;
    private final String name;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private volatile Thread runner;

    SerialExecutor(Executor target, String name) {
        this.target = Objects.requireNonNull(target, "target");
        this.name = name;
    }

    @Override
    public void execute(Runnable task) {
        tasks.add(Objects.requireNonNull(task, "task"));
        schedule();
    }

    private void schedule() {
        if (!tasks.isEmpty() && scheduled.compareAndSet(false, true)) {
            try {
                target.execute(this::runBatch);
            } catch (RejectedExecutionException e) {
                LOG.warn("{}: the callback executor refused a task; running callbacks on this thread", name);
                runBatch();
            }
        }
    }

    /** Whether the calling thread is running one of this executor's tasks now. */
    boolean runsOnCurrentThread() {
        return runner == Thread.currentThread();
    }

    private void runBatch() {
        Thread outer = runner; // a refused target runs the batch on the submitting thread, maybe inside a batch
        runner = Thread.currentThread();
        try {
            for (Runnable r; (r = tasks.poll()) != null; ) {
                try {
                    r.run();
                } catch (RuntimeException | Error e) {
                    LOG.warn("{}: a callback threw", name, e);
                }
            }
        } finally {
            runner = outer;
            scheduled.set(false);
        }
        schedule(); // a task added between the last poll and the flag reset
    }
}
