// SPDX-License-Identifier: GPL-2.0
/*
 * vexpress-screenshot NAME: ask the host (tools/vexpress-run) for a
 * screenshot of the PL111 screen, and wait until it is taken. It lands
 * in /out/shots/NAME.ppm and NAME.png.
 *
 * The request goes over the board's second UART, which the host reads
 * as it comes. The host stops the machine, takes the screenshot, lets
 * the machine go on and answers. Meanwhile this program polls the UART
 * without sleeping: under -icount with sleep=off, an idle guest's clock
 * jumps to its next timer, so a wait that slept would cost the guest's
 * clock whatever the host's load makes it; a busy one costs only the
 * instructions it runs, and the stopped machine none. So the tests'
 * time limits count the guest's own work, never the host's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_TTY "/dev/ttyAMA1"
/* Guest seconds of busy polling before giving up: the host answers in
 * a fraction of one, and its own time limit ends a run that hangs. */
#define GIVE_UP_SECONDS 60

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static int open_channel(const char *path)
{
	struct termios tio;
	int fd;

	fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "vexpress-screenshot: cannot open %s: %s (run under tools/vexpress-run)\n",
			path, strerror(errno));
		return -1;
	}
	/* One request at a time, whoever asks. */
	if (flock(fd, LOCK_EX) || tcgetattr(fd, &tio)) {
		fprintf(stderr, "vexpress-screenshot: %s: %s\n", path, strerror(errno));
		close(fd);
		return -1;
	}
	cfmakeraw(&tio);
	if (tcsetattr(fd, TCSANOW, &tio) || tcflush(fd, TCIFLUSH)) {
		fprintf(stderr, "vexpress-screenshot: cannot make %s raw: %s\n",
			path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* Read the host's lines until one answers TOKEN: 0 for "done", 1 for
 * "fail" or no answer. */
static int wait_answer(int fd, const char *token)
{
	char line[256];
	size_t len = 0;
	double give_up = now() + GIVE_UP_SECONDS;

	while (now() < give_up) {
		char c;
		ssize_t n = read(fd, &c, 1);

		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			perror("vexpress-screenshot: read");
			return 1;
		}
		if (n <= 0)
			continue;
		if (c != '\n') {
			if (len < sizeof(line) - 1)
				line[len++] = c;
			continue;
		}
		line[len] = '\0';
		len = 0;
		/* Answers to an earlier requester's tokens are not ours. */
		if (!strncmp(line, "done ", 5) && !strcmp(line + 5, token))
			return 0;
		if (!strncmp(line, "fail ", 5) && !strncmp(line + 5, token, strlen(token))) {
			fprintf(stderr, "vexpress-screenshot: the host says: %s\n", line + 5);
			return 1;
		}
	}
	fprintf(stderr, "vexpress-screenshot: no answer from the host in %d guest seconds\n",
		GIVE_UP_SECONDS);
	return 1;
}

int main(int argc, char **argv)
{
	const char *tty = getenv("VEXPRESS_HOST_TTY");
	char token[64], request[192];
	int fd, len, ret;

	if (argc != 2 || !argv[1][0] || strpbrk(argv[1], "/ \n")) {
		fprintf(stderr, "usage: vexpress-screenshot NAME (no slashes or spaces)\n");
		return 2;
	}
	fd = open_channel(tty ? tty : DEFAULT_TTY);
	if (fd < 0)
		return 1;
	snprintf(token, sizeof(token), "%d.%.0f", (int)getpid(), now() * 1e6);
	len = snprintf(request, sizeof(request), "shot %s %s\n", argv[1], token);
	if (len >= (int)sizeof(request)) {
		fprintf(stderr, "vexpress-screenshot: name too long\n");
		close(fd);
		return 2;
	}
	if (write(fd, request, len) != len) {
		fprintf(stderr, "vexpress-screenshot: cannot send the request: %s\n",
			strerror(errno));
		close(fd);
		return 1;
	}
	ret = wait_answer(fd, token);
	close(fd);
	return ret;
}
