/*
 * structs - structures in every position: an array of structs holding a
 * nested struct and a union, struct assignment, structs passed and returned
 * by value (small ones travel in registers, big ones in memory), a
 * function pointer in a struct, div() and ldiv() returning library structs, and a
 * linked list and a binary search tree built with malloc and freed again.
 *
 *	cc /usr/share/examples/handlers/structs.c
 *	run structs
 *
 * Returns 0 when every allocation was freed, 1 otherwise.
 */
#include <stdio.h>
#include <stdlib.h>

struct point { int x, y; };
struct shape {
	const char *name;
	struct point origin;
	int (*area)(struct shape s);			/* which knows the union member */
	union { int radius; struct point size; } u;
};
struct stats { long sum; int min, max; double mean; char tag[16]; };
struct node { int key; struct node *left, *right; };

static int allocs, frees;
/* A whole struct shape is passed by value (copied onto the stack). */
static int circle_area(struct shape s) { return 314 * s.u.radius * s.u.radius / 100; }
static int rect_area(struct shape s) { return s.u.size.x * s.u.size.y; }
static void *alloc(size_t n) { allocs++; return malloc(n); }
static void release(void *p) { if (p) frees++; free(p); }
/* A small struct in, a small struct out: both in registers. */
static struct point move(struct point p, int dx, int dy) { p.x += dx; p.y += dy; return p; }
/* A struct too big for registers, returned through memory. */
static struct stats summarize(const int *v, int n, const char *tag)
{
	struct stats s = { 0, v[0], v[0], 0.0, "" };
	int i;

	for (i = 0; i < n; s.sum += v[i++]) {
		s.min = v[i] < s.min ? v[i] : s.min;
		s.max = v[i] > s.max ? v[i] : s.max;
	}
	s.mean = (double)s.sum / n;
	snprintf(s.tag, sizeof s.tag, "%s", tag);
	return s;
}

static struct node *insert(struct node *t, int key)
{
	if (t == NULL) {
		t = alloc(sizeof *t);
		t->key = key;
		t->left = t->right = NULL;
	} else if (key < t->key)
		t->left = insert(t->left, key);
	else
		t->right = insert(t->right, key);
	return t;
}

static int walk(const struct node *t, int depth)	/* in order; returns height */
{
	int l, r;

	if (t == NULL)
		return depth;
	l = walk(t->left, depth + 1);
	printf(" %d", t->key);
	return (r = walk(t->right, depth + 1)) > l ? r : l;
}

static void destroy(struct node *t) { if (t) { destroy(t->left); destroy(t->right); release(t); } }

int main(void)
{
	struct shape shapes[3] = {
		{ "wheel", { 1, 2 }, circle_area, { .radius = 5 } },
		{ "door", { 0, 0 }, rect_area, { .size = { 3, 7 } } },
	};
	int values[] = { 7, -3, 12, 0, 5, 9 }, i;
	struct stats st = summarize(values, 6, "values");
	struct node *tree = NULL;
	struct list { int v; struct list *next; } *head = NULL, *l;
	div_t d = div(-17, 5);
	ldiv_t ld = ldiv(1000000000007L, 1000L);

	shapes[2] = shapes[0];			/* struct assignment copies everything */
	shapes[2].name = "copy";
	shapes[2].origin = move(shapes[2].origin, 10, -20);
	for (i = 0; i < 3; i++)
		printf("%-5s at (%d,%d): area %d\n", shapes[i].name, shapes[i].origin.x,
		       shapes[i].origin.y, shapes[i].area(shapes[i]));
	printf("sizeof(struct shape) = %zu, sizeof(struct stats) = %zu\n",
	       sizeof(struct shape), sizeof(struct stats));
	printf("%s: sum %ld min %d max %d mean %.3f\n", st.tag, st.sum, st.min, st.max, st.mean);
	printf("div(-17, 5) = {%d, %d}, ldiv(1000000000007, 1000) = {%ld, %ld}\n",
	       d.quot, d.rem, ld.quot, ld.rem);
	for (i = 1; i <= 5; i++) {		/* push 1..5: the list reads 5..1 */
		l = alloc(sizeof *l);
		l->v = i * i;
		l->next = head;
		head = l;
	}
	printf("list:");
	for (l = head; l != NULL; l = head) {	/* print and free as we go */
		printf(" %d", l->v);
		head = l->next;
		release(l);
	}
	for (i = 0; i < 15; i++)		/* 7, 14, 6, 13, ... : a scrambled 0..14 */
		tree = insert(tree, (i * 7 + 7) % 15);
	printf("\ntree in order:");
	i = walk(tree, 0);
	printf("\ntree height %d\n", i);
	destroy(tree);
	printf("%d allocations, %d frees\n", allocs, frees);
	return allocs == frees ? 0 : 1;
}
