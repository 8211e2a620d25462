/*
 * yaml.c: program.yaml to a tree of positioned nodes, built from libyaml's
 * event stream so every node keeps its line and column.  Anchors and
 * aliases are refused: they buy nothing in a config file and invite
 * exponential expansion ("billion laughs").
 */
#include <string.h>

#include <yaml.h>

#include "internal.h"

enum { MAX_DEPTH = 64 };

static up_ynode *node_new(up_ykind kind, const yaml_mark_t *m)
{
	up_ynode *n = up_xcalloc(1, sizeof *n);
	n->kind = kind;
	n->line = (int)m->line + 1;
	n->col = (int)m->column + 1;
	return n;
}

static void node_push(up_ynode *parent, up_ynode *kid)
{
	if (parent->n == parent->cap) {
		parent->cap = parent->cap ? 2 * parent->cap : 8;
		parent->kids = up_xrealloc(parent->kids,
					   parent->cap * sizeof *parent->kids);
	}
	parent->kids[parent->n++] = kid;
}

void up_yaml_free(up_ynode *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->n; i++)
		up_yaml_free(n->kids[i]);
	free(n->kids);
	free(n->str);
	free(n);
}

/* Reader errors (bad encoding, control characters) carry only a byte
 * offset; count lines and columns ourselves. */
static yaml_mark_t offset_mark(const char *buf, size_t off)
{
	yaml_mark_t m = {0, 0, 0};
	for (size_t i = 0; i < off; i++) {
		if (buf[i] == '\n') {
			m.line++;
			m.column = 0;
		} else if (((unsigned char)buf[i] & 0xc0) != 0x80) {
			m.column++; /* count characters, not UTF-8 bytes */
		}
	}
	return m;
}

static int syntax_error(yaml_parser_t *p, const char *buf, size_t len,
			const char *fname, up_error *err)
{
	yaml_mark_t rm;
	const yaml_mark_t *m = &p->problem_mark;
	if (p->error == YAML_READER_ERROR) {
		rm = offset_mark(buf, p->problem_offset < len ? p->problem_offset
							      : len);
		m = &rm;
	}
	const char *problem = p->problem ? p->problem : "malformed YAML";
	if (p->context)
		return up_err_at(err, UP_EINPUT, fname, (int)m->line + 1,
				 (int)m->column + 1, "%s (%s)", problem,
				 p->context);
	return up_err_at(err, UP_EINPUT, fname, (int)m->line + 1,
			 (int)m->column + 1, "%s", problem);
}

typedef struct {
	up_ynode *stack[MAX_DEPTH];
	int depth;
	up_ynode *root;
	int docs;
} builder;

/* Attaches a finished node to the open collection, or makes it the root. */
static void attach(builder *b, up_ynode *n)
{
	if (b->depth > 0)
		node_push(b->stack[b->depth - 1], n);
	else
		b->root = n;
}

static int on_event(builder *b, const yaml_event_t *ev, const char *fname,
		    up_error *err)
{
	const yaml_mark_t *m = &ev->start_mark;
	int line = (int)m->line + 1, col = (int)m->column + 1;
	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (++b->docs > 1)
			return up_err_at(err, UP_EINPUT, fname, line, col,
					 "only one YAML document is allowed");
		return UP_OK;
	case YAML_ALIAS_EVENT:
		return up_err_at(err, UP_EINPUT, fname, line, col,
				 "aliases are not supported");
	case YAML_SCALAR_EVENT: {
		if (ev->data.scalar.anchor)
			return up_err_at(err, UP_EINPUT, fname, line, col,
					 "anchors are not supported");
		up_ynode *n = node_new(UP_YSCALAR, m);
		n->str = up_xstrndup((const char *)ev->data.scalar.value,
				     ev->data.scalar.length);
		n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		attach(b, n);
		return UP_OK;
	}
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT: {
		const yaml_char_t *anchor = ev->type == YAML_MAPPING_START_EVENT
			? ev->data.mapping_start.anchor
			: ev->data.sequence_start.anchor;
		if (anchor)
			return up_err_at(err, UP_EINPUT, fname, line, col,
					 "anchors are not supported");
		if (b->depth == MAX_DEPTH)
			return up_err_at(err, UP_EINPUT, fname, line, col,
					 "nesting deeper than %d levels",
					 MAX_DEPTH);
		up_ynode *n = node_new(ev->type == YAML_MAPPING_START_EVENT
			? UP_YMAP : UP_YSEQ, m);
		attach(b, n);
		b->stack[b->depth++] = n;
		return UP_OK;
	}
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		b->depth--;
		return UP_OK;
	default:
		return UP_OK;
	}
}

int up_yaml_parse(const char *buf, size_t len, const char *fname,
		  up_ynode **out, up_error *err)
{
	yaml_parser_t p;
	if (!yaml_parser_initialize(&p))
		return up_err(err, UP_ENOMEM, "cannot start the YAML parser");
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
	builder b = {0};
	int rc = UP_OK, done = 0;
	while (!done && rc == UP_OK) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&p, &ev)) {
			rc = syntax_error(&p, buf, len, fname, err);
			break;
		}
		rc = on_event(&b, &ev, fname, err);
		done = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	if (rc != UP_OK) {
		/* Every node is attached when made, so the root owns them all. */
		up_yaml_free(b.root);
		return rc;
	}
	if (!b.root)
		return up_err_at(err, UP_EINPUT, fname, 1, 1,
				 "the file is empty");
	*out = b.root;
	return UP_OK;
}
