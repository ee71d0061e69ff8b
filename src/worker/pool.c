/*
 * pool.c — the libuv scheduler loop and the worker threads (see pool.h).
 *
 * Slot life cycle: IDLE → (loop claims a job) ASSIGNED → (thread picks it up) RUNNING →
 * (thread stored the outcome) IDLE, and the thread wakes the loop to claim again. Only
 * the loop moves a slot from IDLE to ASSIGNED; only the slot's thread moves it on. The
 * loop reads a running slot's ctx (progress, stop flag) under the slot mutex.
 */
#include "pool.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>
#include <uv.h>

#include "basin/rng.h"
#include "basin/space.h"
#include "models/run_ctx.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/metrics.h"
#include "worker/verdict.h"

typedef enum slot_state { SLOT_IDLE, SLOT_ASSIGNED, SLOT_RUNNING } slot_state;

typedef struct slot {
    worker_pool *pool;
    uv_thread_t thread;
    pthread_mutex_t mutex;
    pthread_cond_t cond;
    slot_state state;
    bool quit;
    job_claim claim; /* valid while ASSIGNED or RUNNING */
    basin_ctx *ctx;  /* valid while RUNNING */
} slot;

struct worker_pool {
    store *store;
    hub *hub;
    worker_options opt;
    char owner[128];

    uv_loop_t loop;
    uv_async_t wake_async;
    uv_async_t stop_async;
    uv_timer_t tick_timer;
    uv_timer_t due_timer;
    uv_thread_t loop_thread;

    atomic_bool stopping; /* no more claims */
    atomic_int busy;
    slot *slots;
    int64_t ticks_since_recover; /* ms of ticks since the last expired-lease sweep */
    int64_t last_gc_ms;          /* clock_mono_ms() of the last retention pass; 0: none */

    pthread_mutex_t rng_mutex; /* jitter */
    basin_rng rng;
};

void worker_options_default(worker_options *o)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    /* Every field, retention included (0: keep): callers declare o on the stack. */
    *o = (worker_options){.n_workers = cores > 0 ? (int)cores : 1,
                          .lease_ms = 30000,
                          .heartbeat_ms = 1000,
                          .retry_base_ms = 1000,
                          .retry_max_ms = 300000,
                          .retention_ms = 0,
                          .limits = basin_default_limits};
}

/* ---- the worker threads -------------------------------------------------------------- */

/* Stores the end of a run as worker_verdict() decides, retrying while the database is
 * busy. A finished run also claims this slot's next job in the same transaction when
 * next is not NULL (next->id is "" when none was). */
static void settle(worker_pool *p, const job_claim *c, int rc, basin_ctx *ctx, job_claim *next)
{
    if (next)
        next->id[0] = '\0';
    job_outcome o = {.output = ctx};
    int reason = ctx ? run_ctx_stop_reason(ctx) : 0;
    run_verdict v = worker_verdict(rc, reason, c->attempts, c->max_attempts);
    int64_t run_after = clock_wall_ms();
    char message[256] = "";

    switch (v) {
    case VERDICT_ABANDON:
        log_warn("job %s: lease lost; leaving it to its new owner", c->id);
        return;
    case VERDICT_SUCCEEDED:
        o.status = JOB_SUCCEEDED;
        break;
    case VERDICT_REQUEUE:
        snprintf(message, sizeof message, "interrupted by shutdown; requeued");
        break;
    case VERDICT_CANCELLED:
        o.status = JOB_CANCELLED;
        o.error_code = "cancelled";
        snprintf(message, sizeof message, "cancelled while running");
        break;
    case VERDICT_RETRY: {
        pthread_mutex_lock(&p->rng_mutex);
        double u = basin_rng_uniform(&p->rng);
        pthread_mutex_unlock(&p->rng_mutex);
        run_after +=
            worker_retry_delay_ms(p->opt.retry_base_ms, p->opt.retry_max_ms, c->attempts, u);
        snprintf(message, sizeof message, "attempt %d failed: %s; retrying", c->attempts,
                 basin_strerror(rc));
        break;
    }
    case VERDICT_FAILED:
        o.status = JOB_FAILED;
        if (rc == BASIN_ECANCELLED) { /* stopped by its timeout */
            o.error_code = "timeout";
            snprintf(message, sizeof message, "stopped after its timeout of %g s", c->timeout_s);
        } else if (ctx && ctx->failed) { /* the model's own code: diverged, ... */
            o.error_code = ctx->fail_code;
            o.has_error_step = true;
            o.error_step = ctx->fail_step;
            snprintf(message, sizeof message, "%s", ctx->fail_message);
        } else {
            o.error_code = basin_errname(rc);
            snprintf(message, sizeof message, "failed on attempt %d of %d: %s", c->attempts,
                     c->max_attempts, basin_strerror(rc));
        }
        break;
    }
    bool requeue = v == VERDICT_RETRY || v == VERDICT_REQUEUE;
    bool count_attempt = v == VERDICT_RETRY;
    o.error_message = message[0] ? message : NULL;

    for (int tries = 0; tries < 50; tries++) {
        int st = requeue ? store_requeue(p->store, c->id, c->fence, run_after, count_attempt,
                                         count_attempt ? "retry" : "shutdown", message)
                         : store_finish_then_claim(p->store, c->id, c->fence, &o, p->owner,
                                                   p->opt.lease_ms, next);
        if (st == 0 || st == BASIN_EFENCED) {
            if (st == BASIN_EFENCED)
                log_warn("job %s: lease lost before its outcome was stored", c->id);
            else
                log_info("job %s: %s%s%s", c->id, requeue ? "requeued" : job_status_name(o.status),
                         message[0] ? ": " : "", message);
            return;
        }
        log_warn("job %s: storing the outcome failed (%s); retrying", c->id, basin_strerror(st));
        usleep(200000);
    }
    log_error("job %s: outcome not stored; its lease will expire and requeue it", c->id);
}

/* Logs and counts a claim, and tells event streams. */
static void note_claimed(worker_pool *p, const job_claim *c)
{
    log_info("job %s: claimed (%s, attempt %d of %d)", c->id, c->kind, c->attempts,
             c->max_attempts);
    metrics_claim((double)(clock_wall_ms() - c->due_ms) / 1000.0);
    hub_publish(p->hub, c->id);
}

/* Runs the slot's claimed job to its stored end; *next receives the job this slot claimed
 * in the same transaction as that end (next->id "" when none). */
static void run_claimed(worker_pool *p, slot *sl, job_claim *next)
{
    job_claim *c = &sl->claim;
    const basin_model *model = basin_model_find(c->kind);
    basin_problems problems = {0};
    void *config = NULL;
    json_t *normalized = NULL;
    basin_ctx *ctx = run_ctx_new(&p->opt.limits);
    int rc = ctx ? 0 : BASIN_ENOMEM;
    basin_space_provider spaces; /* memory spaces for memory.* kinds (basin/space.h) */
    store_space_provider(p->store, &spaces);
    if (ctx)
        basin_ctx_set_spaces(ctx, &spaces);
    if (rc == 0 && !model) {
        basin_ctx_fail(ctx, "unknown_kind", 0, "no model of kind %s in this build", c->kind);
        rc = BASIN_EINVAL;
    }
    if (rc == 0) {
        rc = model->parse(c->params, "/params", &p->opt.limits, &problems, NULL, &normalized,
                          &config);
        json_decref(normalized);
        if (rc) {
            basin_ctx_fail(ctx, "invalid_params", 0, "stored params no longer valid: %s %s",
                           problems.count ? problems.items[0].pointer : "",
                           problems.count ? problems.items[0].message : basin_strerror(rc));
            rc = BASIN_EINVAL;
        }
    }
    if (rc == 0) {
        if (c->timeout_s > 0)
            ctx->deadline_ms = clock_wall_ms() + (int64_t)(c->timeout_s * 1000.0);
        pthread_mutex_lock(&sl->mutex);
        sl->ctx = ctx;
        if (sl->quit)
            run_ctx_request_stop(ctx, BASIN_ESHUTDOWN);
        pthread_mutex_unlock(&sl->mutex);
        int64_t t0 = clock_mono_ms();
        rc = model->run(config, ctx);
        double seconds = (double)(clock_mono_ms() - t0) / 1000.0;
        for (size_t k = 0; k < basin_n_models; k++)
            if (basin_models[k] == model)
                metrics_run((int)k, seconds);
        metrics_busy(seconds);
        /* A model that noticed the stop flag may report it through another code. */
        if (rc && rc != BASIN_EDIVERGED && run_ctx_stop_reason(ctx))
            rc = BASIN_ECANCELLED;
        pthread_mutex_lock(&sl->mutex);
        sl->ctx = NULL;
        pthread_mutex_unlock(&sl->mutex);
    }
    if (model && config)
        model->free_config(config);
    pthread_mutex_lock(&sl->mutex);
    bool more = !sl->quit && !atomic_load(&p->stopping);
    pthread_mutex_unlock(&sl->mutex);
    settle(p, c, rc, ctx, more ? next : NULL);
    run_ctx_free(ctx);
    hub_publish(p->hub, c->id);
}

static void slot_main(void *arg)
{
    slot *sl = arg;
    worker_pool *p = sl->pool;
    for (;;) {
        pthread_mutex_lock(&sl->mutex);
        while (sl->state != SLOT_ASSIGNED && !sl->quit)
            pthread_cond_wait(&sl->cond, &sl->mutex);
        if (sl->quit) { /* an assigned job not yet started is requeued by the stopper */
            pthread_mutex_unlock(&sl->mutex);
            return;
        }
        sl->state = SLOT_RUNNING;
        pthread_mutex_unlock(&sl->mutex);

        /* Run, and keep running the jobs claimed along with each finish: under load a job
         * costs one write transaction instead of two and no hand-off to the loop. */
        job_claim next = {0};
        for (;;) {
            run_claimed(p, sl, &next);
            pthread_mutex_lock(&sl->mutex);
            job_claim_clear(&sl->claim);
            if (!next.id[0])
                break;
            sl->claim = next;
            pthread_mutex_unlock(&sl->mutex);
            note_claimed(p, &next);
            memset(&next, 0, sizeof next);
        }
        sl->state = SLOT_IDLE;
        pthread_cond_broadcast(&sl->cond);
        pthread_mutex_unlock(&sl->mutex);
        atomic_fetch_sub(&p->busy, 1);
        uv_async_send(&p->wake_async);
    }
}

/* ---- the loop ------------------------------------------------------------------------- */

static void schedule_due_timer(worker_pool *p);
static void arm_due_timer(worker_pool *p, int64_t due);
static void on_due(uv_timer_t *t);

/* Claims due jobs for idle slots. */
static void claim_round(worker_pool *p)
{
    /* When nothing is due (an empty queue, or only jobs scheduled for later — which every
     * submit would otherwise wake us to look for), one indexed read answers instead of a
     * write transaction per idle slot. */
    int64_t due;
    int rc = store_next_due(p->store, &due);
    if (rc || due > clock_wall_ms()) {
        if (rc == 0)
            arm_due_timer(p, due);
        return;
    }
    for (int i = 0; i < p->opt.n_workers && !atomic_load(&p->stopping); i++) {
        slot *sl = &p->slots[i];
        pthread_mutex_lock(&sl->mutex);
        bool idle = sl->state == SLOT_IDLE;
        pthread_mutex_unlock(&sl->mutex);
        if (!idle)
            continue;
        job_claim c;
        rc = store_claim(p->store, p->owner, p->opt.lease_ms, &c);
        if (rc == BASIN_ENOTFOUND)
            break;
        if (rc) {
            log_warn("claim failed: %s", basin_strerror(rc));
            break;
        }
        atomic_fetch_add(&p->busy, 1);
        pthread_mutex_lock(&sl->mutex);
        sl->claim = c;
        sl->state = SLOT_ASSIGNED;
        pthread_cond_broadcast(&sl->cond);
        pthread_mutex_unlock(&sl->mutex);
        note_claimed(p, &c);
    }
    schedule_due_timer(p);
}

/* Arms the one-shot timer for the earliest future run_after, so delayed jobs and retries
 * start on time without polling. */
static void schedule_due_timer(worker_pool *p)
{
    int64_t due;
    if (store_next_due(p->store, &due) == 0)
        arm_due_timer(p, due);
}

static void arm_due_timer(worker_pool *p, int64_t due)
{
    if (atomic_load(&p->stopping))
        return;
    int64_t wait = due - clock_wall_ms();
    uv_timer_start(&p->due_timer, on_due, (uint64_t)(wait > 0 ? wait : 0) + 1, 0);
}

static void on_due(uv_timer_t *t)
{
    claim_round(t->data);
}

static void on_wake(uv_async_t *a)
{
    claim_round(a->data);
}

/* Heartbeats every running job: renews its lease, publishes progress, and forwards a
 * cancel asked through the database or a lost lease to the run. */
static void on_tick(uv_timer_t *t)
{
    worker_pool *p = t->data;
    for (int i = 0; i < p->opt.n_workers; i++) {
        slot *sl = &p->slots[i];
        pthread_mutex_lock(&sl->mutex);
        if (sl->state != SLOT_RUNNING || !sl->ctx) {
            pthread_mutex_unlock(&sl->mutex);
            continue;
        }
        char id[ULID_LEN + 1];
        memcpy(id, sl->claim.id, sizeof id);
        int64_t fence = sl->claim.fence;
        double progress = run_ctx_get_progress(sl->ctx);
        pthread_mutex_unlock(&sl->mutex);

        bool cancel = false;
        int rc = store_heartbeat(p->store, id, fence, progress, p->opt.lease_ms, &cancel);
        if (rc == BASIN_EFENCED || cancel) {
            pthread_mutex_lock(&sl->mutex);
            if (sl->ctx && strcmp(sl->claim.id, id) == 0)
                run_ctx_request_stop(sl->ctx, cancel ? BASIN_ECANCELLED : BASIN_EFENCED);
            pthread_mutex_unlock(&sl->mutex);
        } else if (rc) {
            log_warn("job %s: heartbeat failed: %s", id, basin_strerror(rc));
        }
    }
    /* Expired leases (a process that died, a run that hung) twice per lease period. */
    p->ticks_since_recover += p->opt.heartbeat_ms;
    int n = 0;
    if (p->ticks_since_recover >= p->opt.lease_ms / 2 &&
        store_recover(p->store, clock_wall_ms(), NULL, &n) == 0 && n > 0) {
        log_warn("requeued %d job(s) whose lease expired", n);
        hub_publish(p->hub, NULL);
    }
    if (p->ticks_since_recover >= p->opt.lease_ms / 2)
        p->ticks_since_recover = 0;
    /* Retention: hourly, in batches that never hold the writer for long. */
    int64_t mono = clock_mono_ms();
    if (p->opt.retention_ms > 0 && (!p->last_gc_ms || mono - p->last_gc_ms >= 3600 * 1000)) {
        int64_t deleted = 0;
        p->last_gc_ms = mono;
        if (store_gc(p->store, clock_wall_ms() - p->opt.retention_ms, 500, &deleted) == 0 &&
            deleted)
            log_info("retention: deleted %lld finished job(s)", (long long)deleted);
    }
    claim_round(p);
}

static void on_close(uv_handle_t *h)
{
    (void)h;
}

static void on_stop(uv_async_t *a)
{
    worker_pool *p = a->data;
    uv_close((uv_handle_t *)&p->wake_async, on_close);
    uv_close((uv_handle_t *)&p->stop_async, on_close);
    uv_close((uv_handle_t *)&p->tick_timer, on_close);
    uv_close((uv_handle_t *)&p->due_timer, on_close);
}

static void loop_main(void *arg)
{
    worker_pool *p = arg;
    uv_run(&p->loop, UV_RUN_DEFAULT);
}

/* ---- start, stop, queries -------------------------------------------------------------- */

/* Requeues jobs whose owner was a process on this host that no longer runs. */
static void recover_dead_owners(worker_pool *p)
{
    char host[64] = "";
    gethostname(host, sizeof host - 1);
    json_t *owners = NULL;
    if (store_running_owners(p->store, &owners) != 0)
        return;
    size_t i;
    json_t *o;
    json_array_foreach(owners, i, o)
    {
        const char *owner = json_string_value(o);
        char ohost[64];
        long pid = 0;
        if (sscanf(owner, "%63[^:]:%ld:", ohost, &pid) != 2 || strcmp(ohost, host) != 0)
            continue;
        bool dead = pid == (long)getpid() || (kill((pid_t)pid, 0) != 0 && errno == ESRCH);
        int n = 0;
        if (dead && store_recover(p->store, clock_wall_ms(), owner, &n) == 0 && n)
            log_warn("requeued %d job(s) left running by %s, which is gone", n, owner);
    }
    json_decref(owners);
}

int worker_pool_start(store *s, hub *h, const worker_options *o, worker_pool **out)
{
    worker_pool *p = calloc(1, sizeof *p);
    if (!p)
        return BASIN_ENOMEM;
    p->store = s;
    p->hub = h;
    p->opt = *o;
    if (p->opt.n_workers < 1)
        p->opt.n_workers = 1;
    char host[64] = "";
    gethostname(host, sizeof host - 1);
    uint64_t instance = 0;
    char inst[ULID_LEN + 1];
    ulid_new(inst);
    snprintf(p->owner, sizeof p->owner, "%s:%ld:%s", host, (long)getpid(), inst);
    for (const char *c = inst; *c; c++)
        instance = instance * 31 + (uint64_t)*c;
    basin_rng_seed(&p->rng, instance);
    pthread_mutex_init(&p->rng_mutex, NULL);
    atomic_init(&p->stopping, false);
    atomic_init(&p->busy, 0);

    recover_dead_owners(p);
    store_recover(s, clock_wall_ms(), NULL, NULL);

    p->slots = calloc((size_t)p->opt.n_workers, sizeof *p->slots);
    if (!p->slots || uv_loop_init(&p->loop) != 0) {
        free(p->slots);
        free(p);
        return BASIN_ENOMEM;
    }
    uv_async_init(&p->loop, &p->wake_async, on_wake);
    uv_async_init(&p->loop, &p->stop_async, on_stop);
    uv_timer_init(&p->loop, &p->tick_timer);
    uv_timer_init(&p->loop, &p->due_timer);
    p->wake_async.data = p->stop_async.data = p->tick_timer.data = p->due_timer.data = p;
    uv_timer_start(&p->tick_timer, on_tick, (uint64_t)p->opt.heartbeat_ms,
                   (uint64_t)p->opt.heartbeat_ms);

    for (int i = 0; i < p->opt.n_workers; i++) {
        slot *sl = &p->slots[i];
        sl->pool = p;
        pthread_mutex_init(&sl->mutex, NULL);
        pthread_cond_init(&sl->cond, NULL);
        uv_thread_create(&sl->thread, slot_main, sl);
    }
    uv_thread_create(&p->loop_thread, loop_main, p);
    uv_async_send(&p->wake_async);
    *out = p;
    return 0;
}

void worker_pool_wake(worker_pool *p)
{
    uv_async_send(&p->wake_async);
}

void worker_pool_cancel(worker_pool *p, const char *id)
{
    for (int i = 0; i < p->opt.n_workers; i++) {
        slot *sl = &p->slots[i];
        pthread_mutex_lock(&sl->mutex);
        if (sl->ctx && strcmp(sl->claim.id, id) == 0)
            run_ctx_request_stop(sl->ctx, BASIN_ECANCELLED);
        pthread_mutex_unlock(&sl->mutex);
    }
}

void worker_pool_counts(worker_pool *p, int *total, int *busy)
{
    *total = p->opt.n_workers;
    *busy = atomic_load(&p->busy);
}

const char *worker_pool_owner(worker_pool *p)
{
    return p->owner;
}

void worker_pool_stop(worker_pool *p, int64_t grace_ms)
{
    if (!p)
        return;
    atomic_store(&p->stopping, true);
    int64_t deadline = clock_mono_ms() + grace_ms;
    /* Let running jobs finish within the grace period, then ask them to stop. */
    for (int i = 0; i < p->opt.n_workers; i++) {
        slot *sl = &p->slots[i];
        pthread_mutex_lock(&sl->mutex);
        while (sl->state != SLOT_IDLE && clock_mono_ms() < deadline) {
            pthread_mutex_unlock(&sl->mutex);
            usleep(20000);
            pthread_mutex_lock(&sl->mutex);
        }
        pthread_mutex_unlock(&sl->mutex);
    }
    for (int i = 0; i < p->opt.n_workers; i++) {
        slot *sl = &p->slots[i];
        pthread_mutex_lock(&sl->mutex);
        if (sl->ctx)
            run_ctx_request_stop(sl->ctx, BASIN_ESHUTDOWN);
        sl->quit = true;
        pthread_cond_broadcast(&sl->cond);
        pthread_mutex_unlock(&sl->mutex);
    }
    for (int i = 0; i < p->opt.n_workers; i++)
        uv_thread_join(&p->slots[i].thread);
    /* The loop reads the slots on every tick: stop it before they go away. */
    uv_async_send(&p->stop_async);
    uv_thread_join(&p->loop_thread);
    uv_loop_close(&p->loop);
    /* A job the loop assigned but no thread started goes back to the queue untouched. */
    for (int i = 0; i < p->opt.n_workers; i++) {
        slot *sl = &p->slots[i];
        if (sl->state == SLOT_ASSIGNED) {
            store_requeue(p->store, sl->claim.id, sl->claim.fence, clock_wall_ms(), false, NULL,
                          NULL);
            job_claim_clear(&sl->claim);
        }
        pthread_mutex_destroy(&sl->mutex);
        pthread_cond_destroy(&sl->cond);
    }
    pthread_mutex_destroy(&p->rng_mutex);
    free(p->slots);
    free(p);
}
