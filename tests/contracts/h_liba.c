/* A handler (not a contract) that calls liba: cc refuses it (test_contract.py). */
long liba_get(const void *key, unsigned int klen, void *buf, unsigned int cap);

int main(void)
{
	return (int)liba_get("k", 1, 0, 0);
}
