/* relocs_b.c - the second object of the relocs test module (see relocs_a.c). */
long relocs_helper(long x);

long relocs_helper(long x)
{
	return x * 2;
}
