/* conntest.js - progress for the connection test (optional: every form
 * works without it).
 *
 * A form with class "conntest-form", or a submit button with the
 * attribute data-conntest (e.g. the server form's "Test connection"
 * button with formaction=".../test"), is submitted with fetch instead of
 * a page load: the button is disabled, the form's ".conntest-progress"
 * element (or a generated one) is shown, and when the answer arrives its
 * <main> replaces this page's <main>.  Any failure of the script path
 * falls back to a normal submission.
 */
(function () {
	'use strict';

	function progressFor(form, button) {
		var p = form.querySelector('.conntest-progress');
		if (!p) {
			p = document.createElement('p');
			p.className = 'conntest-progress muted';
			p.setAttribute('role', 'status');
			p.textContent = (button && button.getAttribute('data-conntest-running')) ||
				'\u2026';
			(button && button.parentNode ? button.parentNode : form).appendChild(p);
		}
		return p;
	}

	function run(form, button, action) {
		var body = new URLSearchParams(new FormData(form));
		if (button && button.name)
			body.append(button.name, button.value);
		var progress = progressFor(form, button);
		var spinner = document.createElement('span');
		spinner.className = 'spinner';
		spinner.setAttribute('aria-hidden', 'true');
		progress.hidden = false;
		progress.insertBefore(spinner, progress.firstChild);
		if (button)
			button.disabled = true;
		form.setAttribute('aria-busy', 'true');
		return fetch(action, {
			method: 'POST',
			body: body,
			credentials: 'same-origin',
			headers: { 'Accept': 'text/html' }
		}).then(function (res) {
			return res.text();
		}).then(function (html) {
			var doc = new DOMParser().parseFromString(html, 'text/html');
			var main = doc.querySelector('main');
			var here = document.querySelector('main');
			if (!main || !here)
				throw new Error('no <main> in the answer');
			here.replaceWith(document.importNode(main, true));
			document.title = doc.title;
			var focus = document.querySelector('main');
			focus.focus();
			bind();
		});
	}

	function onSubmit(ev) {
		var form = ev.target;
		var button = ev.submitter || null;
		var byForm = form.classList.contains('conntest-form');
		var byButton = button && button.hasAttribute('data-conntest');
		if (!byForm && !byButton)
			return;
		if (!window.fetch || !window.URLSearchParams || !window.DOMParser)
			return;
		var action = (button && button.getAttribute('formaction')) ||
			form.getAttribute('action');
		ev.preventDefault();
		run(form, button, action).catch(function () {
			/* Fall back to the plain form post. */
			if (button && button.getAttribute('formaction'))
				form.setAttribute('action', button.getAttribute('formaction'));
			form.classList.remove('conntest-form');
			if (button)
				button.removeAttribute('data-conntest');
			HTMLFormElement.prototype.submit.call(form);
		});
	}

	var bound = false;
	function bind() {
		if (bound)
			return;
		bound = true;
		document.addEventListener('submit', onSubmit);
	}

	bind();
})();
