// SPDX-License-Identifier: GPL-2.0
/*
 * The one file that defines the trace events of trace.h; it sees the
 * structures the events read. Their tracepoints are exported, so that other
 * modules (the KUnit suites among them) can attach probes.
 */
#include <linux/module.h>

#include "channel.h"
#include "completion.h"
#include "packet.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

EXPORT_TRACEPOINT_SYMBOL_GPL(vmb_send);
EXPORT_TRACEPOINT_SYMBOL_GPL(vmb_completion);
EXPORT_TRACEPOINT_SYMBOL_GPL(vmb_delivery);
EXPORT_TRACEPOINT_SYMBOL_GPL(vmb_state_change);
