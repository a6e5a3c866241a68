/* hikyaku.js - the one script of the admin screens.  Everything works
 * without it; it only makes the forms easier:
 *   - the mail-server form shows the fields that apply (SMTP-AUTH details,
 *     fixed credentials, POP-before-SMTP wait, APOP and POP before SMTP
 *     only with POP3, certificate checks only with TLS) and follows the
 *     standard ports until the administrator types one;
 *   - the order screen moves rows in place (buttons, keyboard, drag and
 *     drop) and keeps the hidden "order" inputs of the save form in step.
 * Loaded with defer from the page; no inline script or style (CSP). */
(function () {
	'use strict';

	function $(id) { return document.getElementById(id); }

	/* ---------------- the mail-server form ---------------- */

	var SMTP_PORTS = { none: '25', starttls: '587', tls: '465' };
	var RECV_PORTS = {
		pop3: { none: '110', starttls: '110', tls: '995' },
		imap4: { none: '143', starttls: '143', tls: '993' }
	};

	function isDefault(value, table) {
		for (var k in table) {
			if (typeof table[k] === 'string') {
				if (table[k] === value)
					return true;
			} else if (isDefault(value, table[k])) {
				return true;
			}
		}
		return false;
	}

	function radioValue(form, name) {
		var r = form.querySelector('input[name="' + name + '"]:checked');
		return r ? r.value : '';
	}

	/* Shows or hides a block; hidden checkboxes are also disabled so that
	 * a choice that no longer applies is not sent. */
	function show(el, on, disableInside) {
		if (!el)
			return;
		el.hidden = !on;
		if (disableInside) {
			var inputs = el.querySelectorAll('input[type="checkbox"]');
			for (var i = 0; i < inputs.length; i++)
				inputs[i].disabled = !on;
		}
	}

	function fieldOf(id) {
		var el = $(id);
		return el ? el.closest('.field') : null;
	}

	function initServerForm(form) {
		var smtpPort = $('f-smtp_port'), recvPort = $('f-recv_port');
		var smtpSec = $('f-smtp_security'), recvSec = $('f-recv_security');
		var auth = $('f-smtp_auth'), pbs = $('f-pop_before_smtp');
		var typed = { smtp: false, recv: false };

		/* A port counts as "typed" once the admin edits it, or when it
		 * holds something other than a standard port. */
		if (smtpPort && smtpPort.value !== '' && !isDefault(smtpPort.value, SMTP_PORTS))
			typed.smtp = true;
		if (recvPort && recvPort.value !== '' && !isDefault(recvPort.value, RECV_PORTS))
			typed.recv = true;
		if (smtpPort)
			smtpPort.addEventListener('input', function () {
				typed.smtp = smtpPort.value !== '';
			});
		if (recvPort)
			recvPort.addEventListener('input', function () {
				typed.recv = recvPort.value !== '';
			});

		/* OAuth 2.0: choosing a provider fills in its endpoints, scope
		 * and mail servers (the options carry them); Microsoft's
		 * endpoints follow the tenant. */
		var provider = $('f-oauth2_provider');

		function setValue(id, v) {
			var el = $(id);
			if (el && v !== null && v !== undefined)
				el.value = v;
		}

		function setHost(prefix, spec) {
			if (!spec)
				return;
			var p = spec.split(' ');
			setValue('f-' + prefix + '_host', p[0]);
			setValue('f-' + prefix + '_port', p[1]);
			setValue('f-' + prefix + '_security', p[2]);
			typed[prefix === 'smtp' ? 'smtp' : 'recv'] = true;
		}

		function oauth2Change(ev) {
			if (!provider)
				return;
			var opt = provider.options[provider.selectedIndex];
			var name = provider.value;
			var src = ev && ev.target ? ev.target.name : '';
			var grant = radioValue(form, 'oauth2_grant') || 'authorization_code';
			var tenantEl = $('f-oauth2_tenant');
			var d = opt ? opt.dataset : {};

			show($('oauth2-details'), name !== 'none', false);
			show(fieldOf('f-oauth2_tenant'), !!d.tenant, false);
			if (src !== 'oauth2_provider' && src !== 'oauth2_tenant' &&
			    src !== 'oauth2_grant')
				return;
			if (src === 'oauth2_provider' && tenantEl)
				tenantEl.value = d.tenant || '';
			var tenant = (tenantEl && tenantEl.value) || d.tenant || '';
			function url(t) {
				return t ? t.replace('{tenant}', tenant) : '';
			}
			if (name !== 'custom' && name !== 'none') {
				setValue('f-oauth2_auth_url', url(d.authUrl));
				setValue('f-oauth2_token_url', url(d.tokenUrl));
				setValue('f-oauth2_device_url', url(d.deviceUrl));
				setValue('f-oauth2_scope', grant === 'client_credentials' &&
				    d.clientScope ? d.clientScope : (d.scope || ''));
			}
			if (src === 'oauth2_provider') {
				var proto = radioValue(form, 'recv_protocol') || 'pop3';
				setHost('smtp', d.smtp);
				setHost('recv', proto === 'imap4' ? d.imap4 : d.pop3);
			}
		}

		function update(ev) {
			var proto = radioValue(form, 'recv_protocol') || 'pop3';
			var pop3 = proto === 'pop3';
			var fixed = radioValue(form, 'smtp_credentials') === 'fixed';
			var src = ev && ev.target ? ev.target.name : '';

			show($('smtp-auth-details'), auth && auth.checked, false);
			show($('smtp-fixed'), auth && auth.checked && fixed, false);
			show(fieldOf('f-apop'), pop3, true);
			show(fieldOf('f-pop_before_smtp'), pop3, true);
			show($('pbs-wait'), pop3 && pbs && pbs.checked, false);
			show(fieldOf('f-smtp_tls_verify'), smtpSec && smtpSec.value !== 'none', false);
			show(fieldOf('f-recv_tls_verify'), recvSec && recvSec.value !== 'none', false);

			if (src === 'smtp_security' && smtpPort && !typed.smtp)
				smtpPort.value = SMTP_PORTS[smtpSec.value] || '25';
			if ((src === 'recv_protocol' || src === 'recv_security') &&
			    recvPort && !typed.recv && RECV_PORTS[proto])
				recvPort.value = RECV_PORTS[proto][recvSec.value] || '110';
		}

		form.addEventListener('change', update);
		form.addEventListener('change', oauth2Change);
		update(null);
		oauth2Change(null);
		/* A field with an error stays visible whatever the choices say. */
		var errs = form.querySelectorAll('.has-error');
		for (var i = 0; i < errs.length; i++) {
			for (var el = errs[i]; el && el !== form; el = el.parentElement)
				if (el.hidden)
					el.hidden = false;
		}
	}

	/* ---------------- the order screen ---------------- */

	function initOrder(list) {
		var inputs = $('order-inputs'), status = $('order-status');
		var saved = ids().join(',');
		/* An order proposed by the no-script buttons is not saved yet. */
		var proposed = status.classList.contains('unsaved');
		var dragged = null;

		function items() {
			return Array.prototype.slice.call(list.querySelectorAll('.order-item'));
		}
		function ids() {
			return items().map(function (li) { return li.getAttribute('data-id'); });
		}

		function sync(moved) {
			var all = items();
			inputs.textContent = '';
			all.forEach(function (li, i) {
				var inp = document.createElement('input');
				inp.type = 'hidden';
				inp.name = 'order';
				inp.value = li.getAttribute('data-id');
				inputs.appendChild(inp);
				li.querySelector('.order-pos').textContent = String(i + 1);
				var up = li.querySelector('button.move-up');
				var down = li.querySelector('button.move-down');
				if (up) up.disabled = i === 0;
				if (down) down.disabled = i === all.length - 1;
			});
			var unsaved = proposed || ids().join(',') !== saved;
			status.classList.toggle('unsaved', unsaved);
			var text = unsaved ? list.getAttribute('data-msg-unsaved') : '';
			if (moved) {
				var name = moved.querySelector('.order-name strong').textContent;
				var pos = all.indexOf(moved) + 1;
				text = list.getAttribute('data-msg-moved')
				    .replace('{1}', name).replace('{2}', String(pos)) +
				    (unsaved ? ' ' + text : '');
			}
			status.textContent = text;
		}

		list.addEventListener('click', function (ev) {
			var btn = ev.target.closest('button[data-move]');
			if (!btn)
				return;
			ev.preventDefault();
			var li = btn.closest('.order-item');
			if (btn.getAttribute('data-move') === 'up' && li.previousElementSibling)
				list.insertBefore(li, li.previousElementSibling);
			else if (btn.getAttribute('data-move') === 'down' && li.nextElementSibling)
				list.insertBefore(li.nextElementSibling, li);
			sync(li);
			/* Keep the focus on the same action of the moved row. */
			var again = li.querySelector('button[data-move="' + btn.getAttribute('data-move') + '"]');
			(again && !again.disabled ? again : li.querySelector('button:not([disabled])')).focus();
		});

		/* Drag and drop (a bonus: the buttons do the same). */
		items().forEach(function (li) {
			li.draggable = true;
			li.classList.add('draggable');
		});
		list.addEventListener('dragstart', function (ev) {
			dragged = ev.target.closest('.order-item');
			if (!dragged)
				return;
			dragged.classList.add('dragging');
			ev.dataTransfer.effectAllowed = 'move';
			ev.dataTransfer.setData('text/plain', dragged.getAttribute('data-id'));
		});
		list.addEventListener('dragover', function (ev) {
			var over = ev.target.closest('.order-item');
			if (!dragged || !over || over === dragged)
				return;
			ev.preventDefault();
			var r = over.getBoundingClientRect();
			if (ev.clientY < r.top + r.height / 2)
				list.insertBefore(dragged, over);
			else
				list.insertBefore(dragged, over.nextElementSibling);
		});
		list.addEventListener('drop', function (ev) {
			if (dragged)
				ev.preventDefault();
		});
		list.addEventListener('dragend', function () {
			if (!dragged)
				return;
			dragged.classList.remove('dragging');
			sync(dragged);
			dragged = null;
		});
		sync(null);
	}

	function init() {
		var form = $('server-form');
		if (form)
			initServerForm(form);
		var list = $('f-order');
		if (list && $('order-inputs'))
			initOrder(list);
	}

	if (document.readyState === 'loading')
		document.addEventListener('DOMContentLoaded', init);
	else
		init();
}());
