/*
 * failinit - a test module whose init takes resources and then fails, so
 * the tests can check that kmod rolls a failed init back completely
 * (the heap block is deliberately never freed: the domain's end frees it).
 */
#include <karyon/heap.h>
#include <karyon/log.h>
#include <karyon/module.h>
#include <karyon/service.h>

static const struct kr_ops_header ops = { KR_OPS_MAGIC, 1, sizeof(ops), 0 };

static kr_err_t failinit_init(kr_domain_t *self)
{
	kr_cap_t pages, svc;
	void *va, *mem = kr_malloc(self, 5000);
	kr_err_t r = mem ? kr_page_alloc(self, 8, &pages) : KR_ENOMEM;

	if (!r)
		r = kr_page_map(self, pages, KR_RIGHT_READ | KR_RIGHT_WRITE, &va);
	if (!r)
		r = kr_service_publish(self, "failinit", &ops, &svc);
	kr_log(KR_LOG_INFO, "failinit: took heap, 8 pages and a service (%s); failing now\n",
	       kr_strerror(r));
	return KR_ENOMEM;
}

KR_MODULE(.name = "failinit", .version = KR_VERSION(1, 0, 0),
	  .description = "test: init takes pages and a service, then fails",
	  .license = "MIT", .author = "Karyon developers", .init = failinit_init);
