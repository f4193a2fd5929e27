/* console.c: the console's life: the terminal, the loop, the keys.
 *
 * One loop waits in poll() for a key, a signal, or a change to the
 * workspace seen by inotify; it does nothing in between, so an idle
 * console costs no CPU. Handlers change state and the loop redraws. The
 * terminal is restored on every way out: quitting, Ctrl-C, SIGTERM, a
 * hung-up SSH connection (SIGHUP), an error, and a crash. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tui.h"

#include "pinwarden/timeutil.h"
#include "pinwarden/worker.h"

/* ---- signals ---------------------------------------------------------- */

/* The one piece of state a signal handler may touch: the write end of a
 * pipe the loop polls, and whether curses is up. */
static int signal_pipe[2] = { -1, -1 };
static volatile sig_atomic_t curses_up;

static const int quit_signals[] = { SIGINT, SIGTERM, SIGHUP };
/* Signals whose default action ends the process: each gives the terminal
 * back first, then takes its course (a core dump for SIGQUIT, a
 * sanitizer's report for SIGSEGV in a sanitizer build). */
static const int fatal_signals[] = { SIGSEGV, SIGBUS, SIGFPE,  SIGILL,  SIGABRT, SIGQUIT,
	                             SIGUSR1, SIGUSR2, SIGALRM, SIGXCPU, SIGXFSZ, SIGSYS };
static struct sigaction saved_fatal[G_N_ELEMENTS(fatal_signals)];
static struct sigaction saved_quit[G_N_ELEMENTS(quit_signals)];

static void on_quit_signal(int sig)
{
	int saved = errno;
	unsigned char b = (unsigned char)sig;
	if (signal_pipe[1] >= 0 && write(signal_pipe[1], &b, 1) < 0)
		(void)0; /* the pipe is full: a quit is already on its way */
	errno = saved;
}

/* A crash: give the terminal back before the process dies, then let the
 * previous handler (the default, or a sanitizer's report) do its work. */
static void on_fatal_signal(int sig)
{
	if (curses_up) {
		curses_up = 0;
		endwin();
	}
	for (guint i = 0; i < G_N_ELEMENTS(fatal_signals); i++)
		if (fatal_signals[i] == sig)
			sigaction(sig, &saved_fatal[i], NULL);
	raise(sig);
}

static void restore_terminal_at_exit(void)
{
	if (curses_up) {
		curses_up = 0;
		endwin();
	}
}

static bool install_signals(pw_error *err)
{
	struct sigaction sa;

	if (pipe2(signal_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
		pw_fail(err, PW_E_IO, "cannot make a pipe for signals: %s", g_strerror(errno));
		return false;
	}
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_quit_signal;
	for (guint i = 0; i < G_N_ELEMENTS(quit_signals); i++)
		sigaction(quit_signals[i], &sa, &saved_quit[i]);
	sa.sa_handler = on_fatal_signal;
	sa.sa_flags = SA_NODEFER;
	for (guint i = 0; i < G_N_ELEMENTS(fatal_signals); i++)
		sigaction(fatal_signals[i], &sa, &saved_fatal[i]);
	atexit(restore_terminal_at_exit);
	return true;
}

static void remove_signals(void)
{
	for (guint i = 0; i < G_N_ELEMENTS(quit_signals); i++)
		sigaction(quit_signals[i], &saved_quit[i], NULL);
	for (guint i = 0; i < G_N_ELEMENTS(fatal_signals); i++)
		sigaction(fatal_signals[i], &saved_fatal[i], NULL);
	for (int i = 0; i < 2; i++) {
		if (signal_pipe[i] >= 0)
			close(signal_pipe[i]);
		signal_pipe[i] = -1;
	}
}

/* ---- messages --------------------------------------------------------- */

void console_message(pw_console *c, bool error, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	g_vsnprintf(c->message, sizeof c->message, fmt, ap);
	va_end(ap);
	/* Messages are one line. */
	for (char *p = c->message; *p; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	c->message_error = error;
}

static void report(pw_console *c, pw_code rc, const pw_error *err)
{
	if (rc != PW_OK)
		console_message(c, true, "%s", err->message);
}

/* ---- what the panes show ---------------------------------------------- */

static void status_counts(pw_console *c)
{
	sqlite3_stmt *st = NULL;
	c->n_failed = c->n_unknown = c->n_paused = 0;
	if (pw_store_prepare(c->store,
	                     "SELECT state, count(*) FROM jobs WHERE state IN ('failed', 'unknown', 'paused') GROUP BY state",
	                     &st, NULL) != PW_OK)
		return;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *s = pw_col_text(st, 0);
		sqlite3_int64 n = sqlite3_column_int64(st, 1);
		if (strcmp(s, "failed") == 0)
			c->n_failed = n;
		else if (strcmp(s, "unknown") == 0)
			c->n_unknown = n;
		else
			c->n_paused = n;
	}
	sqlite3_finalize(st);
}

/* Notices that the worker this console started has ended on its own
 * (another worker took the lock first, or it failed): the status line
 * says so. */
static void reap_own_worker(pw_console *c)
{
	int status = 0;
	pid_t r;

	if (c->own_worker_pid <= 0)
		return;
	r = waitpid((pid_t)c->own_worker_pid, &status, WNOHANG);
	if (r == 0 || (r < 0 && errno == EINTR))
		return;
	g_free(c->worker_note);
	if (r > 0 && WIFEXITED(status))
		c->worker_note = g_strdup_printf("the one this console started ended with status %d: see worker.log",
		                                 WEXITSTATUS(status));
	else if (r > 0 && WIFSIGNALED(status))
		c->worker_note = g_strdup_printf("the one this console started was ended by signal %d: see worker.log",
		                                 WTERMSIG(status));
	else
		c->worker_note = g_strdup("the one this console started is gone");
	c->own_worker_pid = 0;
}

static void probe_worker(pw_console *c)
{
	reap_own_worker(c);
	g_free(c->worker_operator);
	c->worker_operator = NULL;
	if (!pw_worker_probe(pw_store_workspace(c->store), &c->worker_pid, &c->worker_operator))
		c->worker_pid = 0;
}

/* The clients pane's selection decides what the accounts pane shows, and
 * the accounts pane's what the boards pane shows; a change starts the
 * dependent panes over. */
static void follow_selection(pw_console *c, pw_error *err)
{
	const row *cr = pane_selected(&c->panes[PANE_CLIENTS]);
	sqlite3_int64 client = cr ? cr->id : 0;
	const row *ar;

	if (client != c->client_id) {
		c->client_id = client;
		g_free(c->client_name);
		c->client_name = cr ? g_strdup(cr->cell[0]) : NULL;
		c->account_id = 0;
		pane_reset(c, &c->panes[PANE_ACCOUNTS], err);
		for (int i = PANE_QUEUE; i <= PANE_LOG; i++)
			if (!c->panes[i].all_clients)
				pane_reset(c, &c->panes[i], err);
	}
	ar = pane_selected(&c->panes[PANE_ACCOUNTS]);
	if ((ar ? ar->id : 0) != c->account_id) {
		c->account_id = ar ? ar->id : 0;
		pane_reset(c, &c->panes[PANE_BOARDS], err);
	}
}

static void reload_all(pw_console *c)
{
	pw_error err = { 0 };
	pw_code rc = PW_OK;

	for (int i = 0; i < PANE_COUNT && rc == PW_OK; i++) {
		rc = pane_reload(c, &c->panes[i], &err);
		if (i == PANE_CLIENTS || i == PANE_ACCOUNTS)
			follow_selection(c, &err);
	}
	status_counts(c);
	report(c, rc, &err);
	c->last_reload = g_get_monotonic_time();
}

void console_reload(pw_console *c)
{
	sqlite3_stmt *st = NULL;
	int version = c->data_version;

	/* data_version moves when another connection commits: the worker,
	 * the command line, another operator's console. */
	if (pw_store_prepare(c->store, "PRAGMA data_version", &st, NULL) == PW_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			version = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
	}
	if (version == c->data_version)
		return;
	c->data_version = version;
	reload_all(c);
}

/* ---- the console's own worker ---------------------------------------- */

/* What the worker's process sets up between fork and exec. Its own
 * process group keeps the terminal's Ctrl-C and hang-up for the console,
 * which stops it in order; should the console die without doing so, the
 * kernel sends the worker SIGTERM (a worker left running would hold the
 * lock with nobody watching). Only async-signal-safe calls here. */
static void worker_child_setup(gpointer ud)
{
	pid_t console_pid = *(const pid_t *)ud;
	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != console_pid)
		_exit(1); /* the console is already gone */
}

static void worker_not_started(pw_console *c, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void worker_not_started(pw_console *c, const char *fmt, ...)
{
	va_list ap;
	char *why;
	va_start(ap, fmt);
	why = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_free(c->worker_note);
	c->worker_note = g_strdup_printf("could not start: %s", why);
	g_free(why);
}

/* Jobs are published only while a worker runs, so the console starts one
 * when none holds the workspace's lock: `pinwarden worker` from the same
 * binary, writing to worker.log in the workspace. [console] start_worker
 * turns this off; in script mode it is off unless the config turns it on,
 * so that screen tests publish nothing behind their back. */
static void start_own_worker(pw_console *c)
{
	gboolean wanted = c->opt->script ? FALSE : TRUE;
	pw_error err = { 0 };
	const char *ws = pw_store_workspace(c->store);
	char *log_path, *stamp;
	char now[PW_TIME_LEN];
	int log_fd, null_fd;
	GPid pid = 0;
	GError *gerr = NULL;

	if (pw_settings_bool(c->settings, "console", "start_worker", &wanted, &err) != PW_OK) {
		worker_not_started(c, "%s", err.message);
		return;
	}
	if (!wanted || c->worker_pid > 0 || c->own_worker_pid > 0 || pw_store_is_readonly(c->store))
		return;
	log_path = g_build_filename(ws, "worker.log", NULL);
	log_fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (log_fd < 0) {
		/* The status line shows the workspace already. */
		worker_not_started(c, "cannot open worker.log: %s", g_strerror(errno));
		g_free(log_path);
		return;
	}
	null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null_fd < 0) {
		worker_not_started(c, "cannot open /dev/null: %s", g_strerror(errno));
		close(log_fd);
		g_free(log_path);
		return;
	}
	pw_time_now(now);
	stamp = g_strdup_printf("%s pinwarden console: starting a worker for %s\n", now,
	                        pw_store_operator(c->store)->name);
	if (write(log_fd, stamp, strlen(stamp)) < 0)
		(void)0; /* the worker's own lines matter more */
	g_free(stamp);
	{
		/* /proc/self/exe is this very binary, whatever PATH holds. */
		gchar **argv = g_new0(gchar *, 6);
		pid_t console_pid = getpid();
		argv[0] = g_strdup("/proc/self/exe");
		argv[1] = g_strdup("pinwarden");
		argv[2] = g_strdup("--workspace");
		argv[3] = g_strdup(ws);
		argv[4] = g_strdup("worker");
		if (!g_spawn_async_with_fds(NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_FILE_AND_ARGV_ZERO,
		                            worker_child_setup, &console_pid, &pid, null_fd, log_fd, log_fd, &gerr)) {
			worker_not_started(c, "%s", gerr->message);
			g_error_free(gerr);
			pid = 0;
		}
		g_strfreev(argv);
	}
	close(null_fd);
	close(log_fd);
	g_free(log_path);
	if (pid > 0) {
		c->own_worker_pid = pid;
		g_free(c->worker_note);
		c->worker_note = NULL;
	}
}

#define WORKER_STOP_US (15 * G_USEC_PER_SEC)

/* Stops the worker this console started, never another: SIGTERM, which
 * lets it finish the request in flight, then up to 15 s, then SIGKILL. */
static void stop_own_worker(pw_console *c)
{
	pid_t pid = (pid_t)c->own_worker_pid;
	gint64 start = g_get_monotonic_time();
	bool said = false;
	int status;
	pid_t r;

	if (pid <= 0)
		return;
	c->own_worker_pid = 0;
	while ((r = waitpid(pid, &status, WNOHANG)) < 0 && errno == EINTR)
		;
	if (r != 0)
		return; /* it has ended already */
	kill(pid, SIGTERM);
	while ((r = waitpid(pid, &status, WNOHANG)) == 0 || (r < 0 && errno == EINTR)) {
		gint64 waited = g_get_monotonic_time() - start;
		if (waited >= WORKER_STOP_US) {
			kill(pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			return;
		}
		if (!said && waited > G_USEC_PER_SEC && !c->opt->script) {
			fputs("pinwarden: waiting for the worker to finish the request in flight...\n", stderr);
			said = true;
		}
		g_usleep(20 * 1000);
	}
}

/* ---- actions ---------------------------------------------------------- */

static void focus_pane(pw_console *c, int i)
{
	c->focus = (i + PANE_COUNT) % PANE_COUNT;
}

static void move_in_view(pw_console *c, pw_action a)
{
	view *v = c->view;
	int page = MAX(LINES - 4, 1);
	int max_top = MAX((int)v->lines->len - (LINES - 3), 0);

	switch (a) {
	case PW_ACT_UP:
		v->top--;
		break;
	case PW_ACT_DOWN:
		v->top++;
		break;
	case PW_ACT_PAGE_UP:
		v->top -= page;
		break;
	case PW_ACT_PAGE_DOWN:
		v->top += page;
		break;
	case PW_ACT_FIRST:
		v->top = 0;
		break;
	case PW_ACT_LAST:
		v->top = max_top;
		break;
	default:
		break;
	}
	v->top = CLAMP(v->top, 0, max_top);
}

static void close_view(pw_console *c)
{
	view_free(c->view);
	c->view = NULL;
}

static void start_prompt(pw_console *c)
{
	pane *p = &c->panes[c->focus];
	c->prompting = true;
	g_string_assign(c->prompt, p->filter.typed ? p->filter.typed : "");
	curs_set(1);
}

static void end_prompt(pw_console *c, bool apply)
{
	pane *p = &c->panes[c->focus];
	pw_error err = { 0 };
	pw_code rc = PW_OK;

	c->prompting = false;
	curs_set(0);
	if (!apply)
		return;
	rc = pane_set_filter(c, p, c->prompt->str, &err);
	if (rc == PW_OK) {
		if (p->id == PANE_LOG)
			p->follow = true;
		rc = pane_reset(c, p, &err);
		follow_selection(c, &err);
	}
	report(c, rc, &err);
}

void console_action(pw_console *c, pw_action a)
{
	pane *p = &c->panes[c->focus];
	pw_error err = { 0 };
	pw_code rc = PW_OK;

	if (c->too_small && a != PW_ACT_QUIT && a != PW_ACT_REDRAW)
		return;
	if (c->view) {
		switch (a) {
		case PW_ACT_BACK:
		case PW_ACT_DETAILS:
		case PW_ACT_HELP:
			close_view(c);
			return;
		case PW_ACT_QUIT:
			close_view(c);
			return;
		case PW_ACT_REDRAW:
			c->redraw_all = true;
			return;
		default:
			move_in_view(c, a);
			return;
		}
	}
	switch (a) {
	case PW_ACT_UP:
		rc = pane_move(c, p, -1, &err);
		break;
	case PW_ACT_DOWN:
		rc = pane_move(c, p, 1, &err);
		break;
	case PW_ACT_PAGE_UP:
		rc = pane_move(c, p, -MAX(pane_body(p) - 1, 1), &err);
		break;
	case PW_ACT_PAGE_DOWN:
		rc = pane_move(c, p, MAX(pane_body(p) - 1, 1), &err);
		break;
	case PW_ACT_FIRST:
		rc = pane_first(c, p, &err);
		break;
	case PW_ACT_LAST:
		rc = pane_last(c, p, &err);
		break;
	case PW_ACT_NEXT_PANE:
		focus_pane(c, c->focus + 1);
		break;
	case PW_ACT_PREV_PANE:
		focus_pane(c, c->focus - 1);
		break;
	case PW_ACT_PANE_CLIENTS:
	case PW_ACT_PANE_ACCOUNTS:
	case PW_ACT_PANE_BOARDS:
	case PW_ACT_PANE_QUEUE:
	case PW_ACT_PANE_LOG:
		focus_pane(c, (int)(a - PW_ACT_PANE_CLIENTS));
		break;
	case PW_ACT_DETAILS: {
		view *v = view_details(c, &err);
		if (v)
			c->view = v;
		else if (err.code != PW_OK)
			rc = err.code;
		else
			console_message(c, false, "Nothing is selected in the %s pane.", p->src->title);
		break;
	}
	case PW_ACT_FILTER:
		start_prompt(c);
		break;
	case PW_ACT_BACK:
		if (p->filter.typed) {
			pane_filter_clear(&p->filter);
			rc = pane_reset(c, p, &err);
		}
		break;
	case PW_ACT_STATE_FILTER:
		if (p->id != PANE_QUEUE) {
			console_message(c, false, "The state filter is for the queue pane (4).");
			break;
		}
		p->state_group = (p->state_group + 1) % tui_state_group_count;
		rc = pane_reset(c, p, &err);
		break;
	case PW_ACT_CLIENT_SCOPE:
		if (p->id != PANE_QUEUE && p->id != PANE_LOG) {
			console_message(c, false, "The client scope is for the queue (4) and log (5) panes.");
			break;
		}
		p->all_clients = !p->all_clients;
		rc = pane_reset(c, p, &err);
		break;
	case PW_ACT_FOLLOW:
		if (p->id != PANE_LOG) {
			console_message(c, false, "Following is for the log pane (5).");
			break;
		}
		rc = pane_last(c, p, &err);
		break;
	case PW_ACT_REDRAW:
		c->redraw_all = true;
		break;
	case PW_ACT_HELP:
		c->view = view_help(c);
		break;
	case PW_ACT_PUBLISH:
	case PW_ACT_ONBOARD:
	case PW_ACT_CONNECT:
	case PW_ACT_OFFBOARD:
	case PW_ACT_RETRY:
	case PW_ACT_CANCEL_JOB:
	case PW_ACT_RESCHEDULE:
	case PW_ACT_RESOLVE:
		if (pw_store_is_readonly(c->store)) {
			console_message(c, true, "The workspace is read-only: look, but change nothing from here.");
			break;
		}
		if (a == PW_ACT_PUBLISH)
			publish_start(c);
		else if (a == PW_ACT_ONBOARD)
			onboard_start(c);
		else if (a == PW_ACT_CONNECT)
			connect_start(c);
		else if (a == PW_ACT_OFFBOARD)
			offboard_start(c);
		else
			oncall_start(c, a);
		break;
	case PW_ACT_NEXT_PROBLEM:
		rc = oncall_next_problem(c, &err);
		break;
	case PW_ACT_QUIT:
		c->quit = true;
		break;
	case PW_ACT_NONE:
	case PW_ACT_COUNT:
		break;
	}
	if (rc == PW_OK && (c->focus == PANE_CLIENTS || c->focus == PANE_ACCOUNTS))
		follow_selection(c, &err);
	report(c, rc != PW_OK ? rc : err.code, &err);
}

static void prompt_key(pw_console *c, int key)
{
	if (key == 27) {
		end_prompt(c, false);
	} else if (key == '\n') {
		end_prompt(c, true);
	} else if (key == (PW_KEY_FN | KEY_BACKSPACE)) {
		if (c->prompt->len) {
			const char *prev = g_utf8_find_prev_char(c->prompt->str, c->prompt->str + c->prompt->len);
			g_string_truncate(c->prompt, prev ? (gsize)(prev - c->prompt->str) : 0);
		}
	} else if (key == 21) { /* C-u */
		g_string_truncate(c->prompt, 0);
	} else if (!(key & PW_KEY_FN) && key >= ' ' && key != 127 && c->prompt->len < 200) {
		g_string_append_unichar(c->prompt, (gunichar)key);
	}
}

void console_key(pw_console *c, int key)
{
	pw_action a;

	if (key == (PW_KEY_FN | KEY_RESIZE)) {
		draw_layout(c);
		c->redraw_all = true;
		if (!c->too_small)
			reload_all(c);
		return;
	}
	c->message[0] = '\0';
	if (c->wizard) {
		if (!c->wizard->key(c, c->wizard, key))
			wizard_close(c);
		return;
	}
	if (c->prompting) {
		prompt_key(c, key);
		return;
	}
	a = pw_keymap_lookup(c->keys, key);
	if (a == PW_ACT_NONE) {
		char *name = pw_key_name(key);
		char *help = pw_keymap_first_key(c->keys, PW_ACT_HELP);
		console_message(c, false, "%s does nothing here; %s lists the keys.", name, help ? help : "help");
		g_free(help);
		g_free(name);
		return;
	}
	console_action(c, a);
}

/* ---- setting up ------------------------------------------------------- */

static void choose_theme(pw_console *c)
{
	const char *name = c->opt->theme;
	char *config_theme = NULL;
	pw_error err = { 0 };
	const char *no_color = getenv("NO_COLOR");
	bool chosen = true;

	if (!name && pw_settings_string(c->settings, "console", "theme", &config_theme, &err) == PW_OK && config_theme)
		name = config_theme;
	if (!name) {
		chosen = false;
		/* NO_COLOR (no-color.org), or a terminal without colour. */
		name = (no_color && *no_color) || !has_colors() ? "monochrome" : "default";
	}
	if (err.code != PW_OK || pw_theme_load(name, &c->theme, &err) != PW_OK) {
		pw_theme_builtin(&c->theme);
		console_message(c, true, "Using the default theme: %s", err.message);
	}
	/* A theme someone chose keeps its attributes on a terminal without
	 * colour; monochrome is the one written for that. */
	c->colour = !(no_color && *no_color && !chosen) && has_colors();
	if (no_color && *no_color && !c->opt->theme && !config_theme)
		c->colour = false;
	g_free(config_theme);
}

static void watch_workspace(pw_console *c)
{
	c->notify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (c->notify_fd < 0)
		return;
	/* Commits write the -wal file; checkpoints and other journal modes
	 * write the database itself. */
	if (inotify_add_watch(c->notify_fd, pw_store_workspace(c->store), IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_TO) < 0) {
		close(c->notify_fd);
		c->notify_fd = -1;
	}
}

static void drain(int fd)
{
	char buf[4096];
	while (read(fd, buf, sizeof buf) > 0)
		;
}

/* A terminal: stdin/stdout, or for the script mode a virtual one of
 * $COLUMNS x $LINES (80x24 by default) writing to /dev/null. */
static pw_code open_terminal(pw_console *c, SCREEN **screen, FILE **null_out, FILE **null_in, pw_error *err)
{
	*screen = NULL;
	*null_out = *null_in = NULL;
	if (c->opt->script) {
		const char *term = getenv("TERM");
		if (!getenv("COLUMNS"))
			setenv("COLUMNS", "80", 1);
		if (!getenv("LINES"))
			setenv("LINES", "24", 1);
		*null_out = fopen("/dev/null", "we");
		*null_in = fopen("/dev/null", "re");
		if (!*null_out || !*null_in)
			return pw_fail(err, PW_E_IO, "cannot open /dev/null: %s", g_strerror(errno));
		*screen = newterm(term && *term && strcmp(term, "dumb") != 0 ? term : "xterm-256color", *null_out, *null_in);
		if (!*screen)
			return pw_fail(err, PW_E_IO, "cannot start curses for the script (TERM=%s)", term ? term : "");
		set_term(*screen);
	} else {
		if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
			return pw_fail(err, PW_E_INVALID,
			               "the console needs a terminal; use the commands ('pinwarden --help') in scripts");
		*screen = newterm(NULL, stdout, stdin);
		if (!*screen)
			return pw_fail(err, PW_E_INVALID,
			               "this terminal (TERM=%s) is not known to curses; try TERM=xterm-256color",
			               getenv("TERM") ? getenv("TERM") : "");
		set_term(*screen);
		/* Until a screen has been through endwin() once, ncurses 6.4
		 * counts it as not started (as for low-level terminfo
		 * programs) and sends every cursor movement with a write(2) of
		 * its own: a key that moves the selection one row took six
		 * writes, one that scrolls the queue pane forty, each a packet
		 * of its own over SSH. Leaving now, before the modes below are
		 * set and anything is drawn, makes the first frame resume the
		 * screen (as after Ctrl-Z and fg), and from then on every frame
		 * goes out in one write. */
		endwin();
	}
	curses_up = 1;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	leaveok(stdscr, FALSE);
	return PW_OK;
}

static void close_terminal(SCREEN *screen, FILE *null_out, FILE *null_in)
{
	if (curses_up) {
		curses_up = 0;
		endwin();
	}
	if (screen)
		delscreen(screen);
	if (null_out)
		fclose(null_out);
	if (null_in)
		fclose(null_in);
}

/* Reads every key waiting; returns after the last. */
static void read_keys(pw_console *c)
{
	wint_t wch;
	int rc;
	while (!c->quit && (rc = wget_wch(stdscr, &wch)) != ERR)
		console_key(c, pw_key_from_curses(rc, (unsigned)wch));
}

static int read_signals(void)
{
	unsigned char b;
	int sig = 0;
	while (read(signal_pipe[0], &b, 1) == 1)
		sig = b;
	return sig;
}

/* ---- the loop --------------------------------------------------------- */

#define TICK_US (2 * G_USEC_PER_SEC)     /* how often the worker is looked for */
#define RELOAD_GAP_US (40 * 1000)        /* at most 25 reloads a second under a burst of commits */

static pw_code run_loop(pw_console *c, pw_error *err)
{
	int signalled = 0;

	while (!c->quit) {
		struct pollfd fds[4]; /* signals, keys, the workspace, a workflow's */
		int nfds = 0, timeout, in_fd = -1, notify_i = -1, wizard_i = -1;
		gint64 now = g_get_monotonic_time(), wake = now + TICK_US, script_wait = -1;

		if (c->script) {
			if (!script_step(c, c->script, &script_wait, err))
				return err->code == PW_OK ? PW_OK : err->code;
			if (c->quit)
				break;
			if (script_wait == 0)
				continue;
		}
		draw_screen(c);

		now = g_get_monotonic_time();
		if (now >= c->next_tick) {
			probe_worker(c);
			c->next_tick = now + TICK_US;
			draw_screen(c);
		}
		wake = c->next_tick;
		if (c->next_reload && c->next_reload < wake)
			wake = c->next_reload;
		if (c->wizard && c->wizard->wake_at) {
			gint64 at = c->wizard->wake_at(c->wizard);
			if (at > 0 && at < wake)
				wake = MAX(at, now);
		}
		if (c->notify_fd < 0 && now + 250 * 1000 < wake)
			wake = now + 250 * 1000; /* no inotify: look for changes four times a second */
		if (script_wait > 0 && now + script_wait < wake)
			wake = now + script_wait;
		timeout = (int)MAX((wake - now + 999) / 1000, 0);

		fds[nfds] = (struct pollfd){ .fd = signal_pipe[0], .events = POLLIN };
		nfds++;
		if (!c->script) {
			in_fd = nfds;
			fds[nfds++] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
		}
		if (c->notify_fd >= 0) {
			notify_i = nfds;
			fds[nfds++] = (struct pollfd){ .fd = c->notify_fd, .events = POLLIN };
		}
		if (c->wizard && c->wizard->fd && c->wizard->fd(c->wizard) >= 0) {
			wizard_i = nfds;
			fds[nfds++] = (struct pollfd){ .fd = c->wizard->fd(c->wizard), .events = POLLIN };
		}
		if (poll(fds, (nfds_t)nfds, timeout) < 0 && errno != EINTR)
			return pw_fail(err, PW_E_IO, "waiting for input failed: %s", g_strerror(errno));

		if ((fds[0].revents & POLLIN) && (signalled = read_signals()) != 0)
			break;
		if (in_fd >= 0 && (fds[in_fd].revents & (POLLHUP | POLLERR)) && !(fds[in_fd].revents & POLLIN)) {
			signalled = SIGHUP; /* the terminal went away */
			break;
		}
		/* Keys, including KEY_RESIZE after SIGWINCH interrupted poll. */
		if (!c->script)
			read_keys(c);
		now = g_get_monotonic_time();
		if (notify_i >= 0 && (fds[notify_i].revents & POLLIN)) {
			drain(c->notify_fd);
			/* Coalesce a burst of commits into a few reloads. */
			if (!c->next_reload)
				c->next_reload = MAX(now, c->last_reload + RELOAD_GAP_US);
		}
		if (c->notify_fd < 0 && !c->next_reload)
			c->next_reload = now;
		if (c->wizard && c->wizard->tick) {
			gint64 at = c->wizard->wake_at ? c->wizard->wake_at(c->wizard) : 0;
			if ((wizard_i >= 0 && (fds[wizard_i].revents & POLLIN)) || (at > 0 && now >= at)) {
				if (!c->wizard->tick(c, c->wizard))
					wizard_close(c);
			}
		}
		if (c->next_reload && now >= c->next_reload) {
			c->next_reload = 0;
			if (!c->too_small)
				console_reload(c);
		}
	}
	(void)signalled;
	return PW_OK;
}

pw_code pw_console_run(pw_ctx *ctx, const pw_settings *settings, const pw_console_options *opt, pw_error *err)
{
	pw_console con = { 0 };
	pw_console *c = &con;
	SCREEN *screen = NULL;
	FILE *null_out = NULL, *null_in = NULL;
	pw_code rc;

	c->ctx = ctx;
	c->store = ctx->store;
	c->settings = settings;
	c->opt = opt;
	c->notify_fd = -1;
	c->data_version = -1;
	c->prompt = g_string_new("");
	c->utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	c->keys = pw_keymap_new();

	rc = pw_keymap_configure(c->keys, settings->keyfile, settings->config_path, err);
	if (rc == PW_OK && opt->script)
		rc = script_load(opt->script, &c->script, err);
	if (rc == PW_OK && !install_signals(err))
		rc = err->code;
	if (rc == PW_OK)
		rc = open_terminal(c, &screen, &null_out, &null_in, err);
	if (rc == PW_OK) {
		choose_theme(c);
		draw_apply_theme(c);
		for (int i = 0; i < PANE_COUNT; i++)
			pane_init(c, &c->panes[i], (pane_id)i);
		draw_layout(c);
		c->focus = PANE_CLIENTS;
		watch_workspace(c);
		probe_worker(c);
		start_own_worker(c);
		c->next_tick = g_get_monotonic_time() + TICK_US;
		console_reload(c);
		rc = run_loop(c, err);
	}
	close_terminal(screen, null_out, null_in);
	/* Every way out of the loop comes here: q, Ctrl-C, SIGTERM, SIGHUP,
	 * the end of a script, an error. */
	stop_own_worker(c);
	remove_signals();

	for (int i = 0; i < PANE_COUNT; i++)
		pane_clear(&c->panes[i]);
	if (c->wizard)
		c->wizard->free(c->wizard);
	view_free(c->view);
	script_free(c->script);
	if (c->notify_fd >= 0)
		close(c->notify_fd);
	g_string_free(c->prompt, TRUE);
	g_free(c->client_name);
	g_free(c->worker_operator);
	g_free(c->worker_note);
	pw_keymap_free(c->keys);
	return rc;
}
