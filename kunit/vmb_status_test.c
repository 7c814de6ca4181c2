// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the NTSTATUS values and the NTSTATUS <-> errno helpers.
 */
#include <kunit/test.h>
#include <linux/errno.h>

#include <vmbkmcl.h>

struct status_case {
	NTSTATUS status;
	u32 value;
	int err;
	NTSTATUS back;		/* what vmb_errno_to_ntstatus(err) gives */
	const char *name;
};

/*
 * The numbers are the standard ntstatus.h values; the errnos are those of
 * Documentation/porting.rst, "NTSTATUS is kept".
 */
static const struct status_case status_cases[] = {
	{ STATUS_SUCCESS, 0x00000000, 0, STATUS_SUCCESS, "SUCCESS" },
	{ STATUS_TIMEOUT, 0x00000102, -ETIMEDOUT, STATUS_TIMEOUT, "TIMEOUT" },
	{ STATUS_PENDING, 0x00000103, -EINPROGRESS, STATUS_PENDING, "PENDING" },
	{ STATUS_BUFFER_OVERFLOW, 0x80000005, -EAGAIN, STATUS_BUFFER_OVERFLOW, "BUFFER_OVERFLOW" },
	{ STATUS_UNSUCCESSFUL, 0xC0000001, -EIO, STATUS_UNSUCCESSFUL, "UNSUCCESSFUL" },
	{ STATUS_INVALID_PARAMETER, 0xC000000D, -EINVAL, STATUS_INVALID_PARAMETER,
	  "INVALID_PARAMETER" },
	{ STATUS_BUFFER_TOO_SMALL, 0xC0000023, -ENOBUFS, STATUS_BUFFER_TOO_SMALL,
	  "BUFFER_TOO_SMALL" },
	{ STATUS_INSUFFICIENT_RESOURCES, 0xC000009A, -ENOMEM, STATUS_INSUFFICIENT_RESOURCES,
	  "INSUFFICIENT_RESOURCES" },
	{ STATUS_NOT_SUPPORTED, 0xC00000BB, -EOPNOTSUPP, STATUS_NOT_SUPPORTED, "NOT_SUPPORTED" },
	{ STATUS_INVALID_PARAMETER_1, 0xC00000EF, -EINVAL, STATUS_INVALID_PARAMETER,
	  "INVALID_PARAMETER_1" },
	{ STATUS_INVALID_PARAMETER_2, 0xC00000F0, -EINVAL, STATUS_INVALID_PARAMETER,
	  "INVALID_PARAMETER_2" },
	{ STATUS_INVALID_PARAMETER_3, 0xC00000F1, -EINVAL, STATUS_INVALID_PARAMETER,
	  "INVALID_PARAMETER_3" },
	{ STATUS_CANCELLED, 0xC0000120, -ECANCELED, STATUS_CANCELLED, "CANCELLED" },
	{ STATUS_INVALID_DEVICE_STATE, 0xC0000184, -EBUSY, STATUS_INVALID_DEVICE_STATE,
	  "INVALID_DEVICE_STATE" },
	{ STATUS_DEVICE_REMOVED, 0xC00002B6, -ENODEV, STATUS_DEVICE_REMOVED, "DEVICE_REMOVED" },
	/* -EBUSY's preferred status is INVALID_DEVICE_STATE */
	{ STATUS_DEVICE_BUSY, 0x80000011, -EBUSY, STATUS_INVALID_DEVICE_STATE, "DEVICE_BUSY" },
};

static void status_case_desc(const struct status_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "STATUS_%s", c->name);
}

KUNIT_ARRAY_PARAM(status, status_cases, status_case_desc);

static void status_value_is_standard(struct kunit *test)
{
	const struct status_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, (u32)c->status, c->value);
	KUNIT_EXPECT_EQ(test, sizeof(c->status), (size_t)4);
}

static void status_success_classification(struct kunit *test)
{
	const struct status_case *c = test->param_value;

	/* bit 31 set is a warning or an error, whatever the other bits say */
	KUNIT_EXPECT_EQ(test, NT_SUCCESS(c->status), !(c->value & 0x80000000));
}

static void status_to_errno(struct kunit *test)
{
	const struct status_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, vmb_ntstatus_to_errno(c->status), c->err);
}

static void status_round_trip(struct kunit *test)
{
	const struct status_case *c = test->param_value;
	NTSTATUS back = vmb_errno_to_ntstatus(vmb_ntstatus_to_errno(c->status));

	/* the numbered INVALID_PARAMETER forms collapse to the plain one */
	KUNIT_EXPECT_EQ(test, back, c->back);
	/* whatever the direction, the errno survives a second trip unchanged */
	KUNIT_EXPECT_EQ(test, vmb_ntstatus_to_errno(back), c->err);
}

static void status_unknown_values(struct kunit *test)
{
	/* success and informational values keep NT_SUCCESS semantics */
	KUNIT_EXPECT_EQ(test, vmb_ntstatus_to_errno((NTSTATUS)0x00000001), 0);
	KUNIT_EXPECT_EQ(test, vmb_ntstatus_to_errno((NTSTATUS)0x40000000), 0);
	KUNIT_EXPECT_EQ(test, vmb_ntstatus_to_errno((NTSTATUS)0x7FFFFFFF), 0);
	/* unknown warnings and errors are a failure, never success */
	KUNIT_EXPECT_EQ(test, vmb_ntstatus_to_errno((NTSTATUS)0x80000001), -EIO);
	KUNIT_EXPECT_EQ(test, vmb_ntstatus_to_errno((NTSTATUS)0xC0000002), -EIO);
	KUNIT_EXPECT_EQ(test, vmb_ntstatus_to_errno((NTSTATUS)0xFFFFFFFF), -EIO);
}

static void errno_unknown_values(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, vmb_errno_to_ntstatus(-EXDEV), STATUS_UNSUCCESSFUL);
	KUNIT_EXPECT_EQ(test, vmb_errno_to_ntstatus(-MAX_ERRNO), STATUS_UNSUCCESSFUL);
	KUNIT_EXPECT_EQ(test, vmb_errno_to_ntstatus(INT_MIN), STATUS_UNSUCCESSFUL);
	/* a positive value is not an errno: never mistaken for success */
	KUNIT_EXPECT_EQ(test, vmb_errno_to_ntstatus(1), STATUS_UNSUCCESSFUL);
	KUNIT_EXPECT_EQ(test, vmb_errno_to_ntstatus(EINVAL), STATUS_UNSUCCESSFUL);
}

static void errno_aliases(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, vmb_errno_to_ntstatus(-EMSGSIZE), STATUS_BUFFER_TOO_SMALL);
	KUNIT_EXPECT_EQ(test, vmb_errno_to_ntstatus(-ETIME), STATUS_TIMEOUT);
}

static struct kunit_case vmb_status_cases[] = {
	KUNIT_CASE_PARAM(status_value_is_standard, status_gen_params),
	KUNIT_CASE_PARAM(status_success_classification, status_gen_params),
	KUNIT_CASE_PARAM(status_to_errno, status_gen_params),
	KUNIT_CASE_PARAM(status_round_trip, status_gen_params),
	KUNIT_CASE(status_unknown_values),
	KUNIT_CASE(errno_unknown_values),
	KUNIT_CASE(errno_aliases),
	{}
};

static struct kunit_suite vmb_status_suite = {
	.name = "vmb_status",
	.test_cases = vmb_status_cases,
};

kunit_test_suite(vmb_status_suite);

MODULE_DESCRIPTION("KUnit tests for vmbkmcl's NTSTATUS helpers");
MODULE_LICENSE("GPL");
