/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading vmbkmcl's debugfs files the way a user does: list
 * /sys/kernel/debug/vmbkmcl, find a channel's directory by its friendly
 * name, read a file and pick a "key: value" line out of it.
 */
#ifndef _VMB_DEBUGFS_FILES_H
#define _VMB_DEBUGFS_FILES_H

#include <kunit/test.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/random.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>

#define VMB_DF_ROOT	"/sys/kernel/debug/vmbkmcl"
#define VMB_DF_MAX	32	/* directories listed */
#define VMB_DF_NAME	128
#define VMB_DF_BUF	2048

struct vmb_df_list {
	struct dir_context ctx;
	u32 n;
	char names[VMB_DF_MAX][VMB_DF_NAME];
};

static inline bool vmb_df_actor(struct dir_context *ctx, const char *name, int len,
				loff_t pos, u64 ino, unsigned int type)
{
	struct vmb_df_list *l = container_of(ctx, struct vmb_df_list, ctx);

	if (name[0] == '.' || l->n >= VMB_DF_MAX || len >= VMB_DF_NAME)
		return true;
	memcpy(l->names[l->n], name, len);
	l->names[l->n++][len] = '\0';
	return true;
}

/* The entries of @path, without "." and "..". */
static inline int vmb_df_list(const char *path, struct vmb_df_list *l)
{
	struct file *dir = filp_open(path, O_RDONLY | O_DIRECTORY, 0);
	int ret;

	if (IS_ERR(dir))
		return PTR_ERR(dir);
	memset(l, 0, sizeof(*l));
	l->ctx.actor = vmb_df_actor;
	ret = iterate_dir(dir, &l->ctx);
	filp_close(dir, NULL);
	return ret;
}

static inline bool vmb_df_listed(const struct vmb_df_list *l, const char *name)
{
	u32 i;

	for (i = 0; i < l->n; i++)
		if (!strcmp(l->names[i], name))
			return true;
	return false;
}

/* A friendly name no other channel has: "@prefix-<8 hex digits>". */
static inline void vmb_df_unique_name(char *buf, size_t size, const char *prefix)
{
	snprintf(buf, size, "%s-%08x", prefix, get_random_u32());
}

/*
 * The directory whose name ends in "-@name", in @dir (VMB_DF_NAME bytes);
 * -ENOENT if there is none, -EEXIST if there are more.
 */
static inline int vmb_df_find(const char *name, char *dir)
{
	struct vmb_df_list *l = kmalloc(sizeof(*l), GFP_KERNEL);
	size_t nlen = strlen(name);
	int ret, found = 0;
	u32 i;

	if (!l)
		return -ENOMEM;
	ret = vmb_df_list(VMB_DF_ROOT, l);
	for (i = 0; !ret && i < l->n; i++) {
		size_t len = strlen(l->names[i]);

		if (len > nlen && l->names[i][len - nlen - 1] == '-' &&
		    !strcmp(l->names[i] + len - nlen, name)) {
			strscpy(dir, l->names[i], VMB_DF_NAME);
			found++;
		}
	}
	kfree(l);
	if (ret)
		return ret;
	return found == 1 ? 0 : found ? -EEXIST : -ENOENT;
}

/*
 * Read the text of the seq_file at @path into @buf (@size bytes),
 * NUL-terminated: what read(2) would return with a buffer that large.
 * kernel_read() cannot do it: it wants ->read_iter, and debugfs's proxy
 * and tracefs's files have only ->read. So the file is opened through the
 * VFS (so debugfs's open proxy runs) and its seq_file is walked into @buf
 * the way seq_read() walks it.
 */
static inline ssize_t vmb_seq_read_path(const char *path, char *buf, size_t size)
{
	struct file *f = filp_open(path, O_RDONLY, 0);
	struct seq_file *m;
	loff_t pos = 0;
	ssize_t len;
	void *p;

	if (IS_ERR(f))
		return PTR_ERR(f);
	m = f->private_data;
	mutex_lock(&m->lock);
	m->buf = buf;
	m->size = size - 1;
	m->count = 0;
	p = m->op->start(m, &pos);
	while (!IS_ERR_OR_NULL(p)) {
		if (m->op->show(m, p) < 0 || seq_has_overflowed(m))
			break;
		p = m->op->next(m, p, &pos);
	}
	m->op->stop(m, p);
	len = min(m->count, size - 1);
	buf[len] = '\0';
	/* the buffer is ours: seq_release() must not free it */
	m->buf = NULL;
	m->size = 0;
	m->count = 0;
	mutex_unlock(&m->lock);
	filp_close(f, NULL);
	return len;
}

/* Read all of @dir/@file into @buf (VMB_DF_BUF bytes), NUL-terminated. */
static inline int vmb_df_read(const char *dir, const char *file, char *buf)
{
	char path[VMB_DF_NAME + 64];
	ssize_t len;

	snprintf(path, sizeof(path), VMB_DF_ROOT "/%s/%s", dir, file);
	len = vmb_seq_read_path(path, buf, VMB_DF_BUF);
	return len < 0 ? len : 0;
}

/* The value of line "@key: value" of @text, copied to @value; false if absent. */
static inline bool vmb_df_field(const char *text, const char *key, char *value,
				size_t size)
{
	size_t klen = strlen(key);
	const char *line = text;

	while (line && *line) {
		const char *end = strchrnul(line, '\n');

		if (!strncmp(line, key, klen) && line[klen] == ':' && line[klen + 1] == ' ') {
			size_t vlen = end - (line + klen + 2);

			if (vlen >= size)
				vlen = size - 1;
			memcpy(value, line + klen + 2, vlen);
			value[vlen] = '\0';
			return true;
		}
		line = *end ? end + 1 : NULL;
	}
	return false;
}

/* Fixture: the directory of one channel, found by its friendly name. */
struct vmb_df {
	struct kunit *test;
	char name[32];
	char dir[VMB_DF_NAME];
	char buf[VMB_DF_BUF];
	char value[VMB_DF_NAME];
};

/* The text value of @key in @dir's @file; the case fails if it is missing. */
static inline const char *vmb_df_text(struct vmb_df *df, const char *file, const char *key)
{
	int ret = vmb_df_read(df->dir, file, df->buf);

	KUNIT_ASSERT_EQ_MSG(df->test, ret, 0, "reading %s/%s", df->dir, file);
	KUNIT_ASSERT_TRUE_MSG(df->test,
			      vmb_df_field(df->buf, key, df->value, sizeof(df->value)),
			      "no \"%s:\" line in %s/%s:\n%s", key, df->dir, file, df->buf);
	return df->value;
}

/* The number @key in @dir's @file. */
static inline u64 vmb_df_num(struct vmb_df *df, const char *file, const char *key)
{
	const char *v = vmb_df_text(df, file, key);
	u64 n = 0;

	KUNIT_ASSERT_EQ_MSG(df->test, kstrtou64(v, 0, &n), 0, "%s: \"%s\" is no number", key, v);
	return n;
}

#endif /* _VMB_DEBUGFS_FILES_H */
