/*
 * plain.c - a plain object (no module descriptor), as a handler compiled
 * on the device is: kmod_load takes it with env->entry = "main".  main sits
 * alone in its own section, which nothing relocates against, so a test can
 * change that section alone.
 */
extern int puts(const char *s);

static int n = 3;

int helper(int x)
{
	return x + n;
}

__attribute__((section(".text.main"))) int main(void)
{
	puts("hi");
	return helper(1);
}
