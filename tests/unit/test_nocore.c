/* test_nocore.c - core dumps off at start (nocore.h), unless asked. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "nocore.h"

/* Runs hk_nocore in a child (it changes the process for good) and
 * returns the child's verdict: 0 when what it saw matched want. */
static int
in_child(const char *env, int want_rc, int want_dumpable)
{
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit rl;
		int rc;

		if (env != NULL)
			setenv(HK_NOCORE_ENV, env, 1);
		else
			unsetenv(HK_NOCORE_ENV);
		prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
		rc = hk_nocore();
		if (rc != want_rc)
			_exit(1);
		if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != want_dumpable)
			_exit(2);
		if (want_dumpable == 0 && (getrlimit(RLIMIT_CORE, &rl) != 0 ||
		    rl.rlim_cur != 0 || rl.rlim_max != 0))
			_exit(3);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void
test_off_by_default(void **state)
{
	(void)state;
	assert_int_equal(in_child(NULL, 0, 0), 0);
	assert_int_equal(in_child("0", 0, 0), 0);
	assert_int_equal(in_child("yes", 0, 0), 0);	/* only "1" keeps them */
}

static void
test_kept_when_asked(void **state)
{
	(void)state;
	assert_int_equal(in_child("1", 1, 1), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_off_by_default),
		cmocka_unit_test(test_kept_when_asked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
