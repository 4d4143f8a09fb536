/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Trace events of kthread-demo: /sys/kernel/tracing/events/kthread_demo/.
 *
 * kthread_demo.c defines them (CREATE_TRACE_POINTS) and exports the work
 * item events for workqueue_demo. Disabled, each costs a static branch.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM kthread_demo

#if !defined(KTD_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define KTD_TRACE_H

#include <linux/tracepoint.h>
#include "compat.h"

/* A demo thread's function starts running (on its own CPU). */
TRACE_EVENT(ktd_thread_start,
	    TP_PROTO(unsigned int id, bool freezable),
	    TP_ARGS(id, freezable),
	    TP_STRUCT__entry(__field(unsigned int, id)
			     __field(bool, freezable)),
	    TP_fast_assign(__entry->id = id;
			   __entry->freezable = freezable;),
	    TP_printk("id=%u freezable=%d", __entry->id, __entry->freezable)
);

/* kthread_stop() returned for a demo thread (-EINTR: it never ran). */
TRACE_EVENT(ktd_thread_stop,
	    TP_PROTO(unsigned int id, int pid, int ret, u64 loops),
	    TP_ARGS(id, pid, ret, loops),
	    TP_STRUCT__entry(__field(unsigned int, id)
			     __field(int, pid)
			     __field(int, ret)
			     __field(u64, loops)),
	    TP_fast_assign(__entry->id = id;
			   __entry->pid = pid;
			   __entry->ret = ret;
			   __entry->loops = loops;),
	    TP_printk("id=%u pid=%d ret=%d loops=%llu", __entry->id,
		      __entry->pid, __entry->ret, __entry->loops)
);

/*
 * One latency sample: wake-up latency (sleep), I/O wake-up (block) or a
 * round trip (pingpong), in ns.
 */
TRACE_EVENT(ktd_latency,
	    TP_PROTO(unsigned int id, const char *workload, bool cross_cpu,
		     u64 ns),
	    TP_ARGS(id, workload, cross_cpu, ns),
	    TP_STRUCT__entry(__field(unsigned int, id)
			     __string(workload, workload)
			     __field(bool, cross_cpu)
			     __field(u64, ns)),
	    TP_fast_assign(__entry->id = id;
			   ktd_assign_str(workload, workload);
			   __entry->cross_cpu = cross_cpu;
			   __entry->ns = ns;),
	    TP_printk("id=%u workload=%s cross_cpu=%d ns=%llu", __entry->id,
		      __get_str(workload), __entry->cross_cpu, __entry->ns)
);

/* Work items of workqueue_demo: queued, started, finished. */
DECLARE_EVENT_CLASS(ktd_work_class,
		    TP_PROTO(const char *mech, unsigned int item, u64 ns),
		    TP_ARGS(mech, item, ns),
		    TP_STRUCT__entry(__string(mech, mech)
				     __field(unsigned int, item)
				     __field(u64, ns)),
		    TP_fast_assign(ktd_assign_str(mech, mech);
				   __entry->item = item;
				   __entry->ns = ns;),
		    TP_printk("mech=%s item=%u ns=%llu", __get_str(mech),
			      __entry->item, __entry->ns)
);

/* ns: when it was queued (ktime_get_ns) */
DEFINE_EVENT(ktd_work_class, ktd_work_queued,
	     TP_PROTO(const char *mech, unsigned int item, u64 ns),
	     TP_ARGS(mech, item, ns));

/* ns: dispatch latency, queued to the handler's first instruction */
DEFINE_EVENT(ktd_work_class, ktd_work_start,
	     TP_PROTO(const char *mech, unsigned int item, u64 ns),
	     TP_ARGS(mech, item, ns));

/* ns: how long the handler ran */
DEFINE_EVENT(ktd_work_class, ktd_work_finish,
	     TP_PROTO(const char *mech, unsigned int item, u64 ns),
	     TP_ARGS(mech, item, ns));

/*
 * A work item of workqueue_demo's scenario enters a phase: it burns the
 * CPU (sleep=0) or sleeps (sleep=1) for ns. The phase lasts until the
 * item's next ktd_work_phase or its ktd_work_finish.
 */
TRACE_EVENT(ktd_work_phase,
	    TP_PROTO(const char *mech, unsigned int item, bool sleep, u64 ns),
	    TP_ARGS(mech, item, sleep, ns),
	    TP_STRUCT__entry(__string(mech, mech)
			     __field(unsigned int, item)
			     __field(bool, sleep)
			     __field(u64, ns)),
	    TP_fast_assign(ktd_assign_str(mech, mech);
			   __entry->item = item;
			   __entry->sleep = sleep;
			   __entry->ns = ns;),
	    TP_printk("mech=%s item=%u phase=%s ns=%llu", __get_str(mech),
		      __entry->item, __entry->sleep ? "sleep" : "burn",
		      __entry->ns)
);

/*
 * workqueue_demo's scenario begins one configuration: its items are
 * queued from cpu next; a warm-up run is not reported. doc_ns is the
 * documentation's "all done at" (0: it has none).
 */
TRACE_EVENT(ktd_scenario,
	    TP_PROTO(const char *config, int cpu, bool warmup, u64 unit_ns,
		     u64 doc_ns),
	    TP_ARGS(config, cpu, warmup, unit_ns, doc_ns),
	    TP_STRUCT__entry(__string(config, config)
			     __field(int, cpu)
			     __field(bool, warmup)
			     __field(u64, unit_ns)
			     __field(u64, doc_ns)),
	    TP_fast_assign(ktd_assign_str(config, config);
			   __entry->cpu = cpu;
			   __entry->warmup = warmup;
			   __entry->unit_ns = unit_ns;
			   __entry->doc_ns = doc_ns;),
	    TP_printk("config=%s cpu=%d warmup=%d unit_ns=%llu doc_ns=%llu",
		      __get_str(config), __entry->cpu, __entry->warmup,
		      __entry->unit_ns, __entry->doc_ns)
);

#endif /* KTD_TRACE_H */

/* This part must be outside the include guard. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE ktd_trace
#include <trace/define_trace.h>
