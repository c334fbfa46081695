/* A handler-like file for test_lines.c: its lines are checked by number. */
int twice(int x)
{
	return x * 2;
}

int main(int argc, char **argv)
{
	int sum = 0;

	(void)argv;
	for (int i = 0; i < argc; i++)
		sum += twice(i);
	return sum;
}
