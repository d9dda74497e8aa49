;;; Headless Emacs (28 with Debian's elpa-eglot, or 29+ with its own eglot):
;;; open a package.json, wait for napi-fix's NAPI001, run the quick fix
;;; through eglot's own code-action path, save every buffer, exit.
;;; Env: NAPI_FIX (the executable), FIXTURE (the folder), EDITOR_LOG.
(add-to-list 'package-directory-list "/usr/share/emacs/site-lisp/elpa")
(package-initialize)
(require 'eglot)
(require 'flymake)

(defvar napi-fix-log (getenv "EDITOR_LOG"))
(defun napi-fix-say (fmt &rest args)
  (append-to-file (concat (apply #'format fmt args) "\n") nil napi-fix-log))
(defun napi-fix-wait (predicate seconds)
  (let ((deadline (+ (float-time) seconds)))
    (while (and (not (funcall predicate)) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    (funcall predicate)))
(defun napi-fix-napi001 ()
  (seq-find (lambda (d) (string-match-p "NAPI001" (flymake-diagnostic-text d))) (flymake-diagnostics)))

;; The README's snippet: package.json opens in js-mode before Emacs 29.
(add-to-list 'eglot-server-programs
             `((js-mode js-json-mode json-mode c-mode c++-mode) . (,(getenv "NAPI_FIX") "lsp")))
;; eglot asks before editing a file that is not open (the lockfile): say yes.
(defalias 'y-or-n-p (lambda (prompt) (napi-fix-say "asked: %s" prompt) t))

(find-file (expand-file-name "package.json" (getenv "FIXTURE")))
(apply #'eglot (eglot--guess-contact))  ; what eglot-ensure does once a command has run
(unless (napi-fix-wait #'napi-fix-napi001 30)
  (napi-fix-say "no NAPI001 diagnostic")
  (kill-emacs 3))
(let ((d (napi-fix-napi001)))
  (napi-fix-say "diagnostic %s" (flymake-diagnostic-text d))
  (goto-char (flymake-diagnostic-beg d))
  (eglot-code-actions (flymake-diagnostic-beg d) (flymake-diagnostic-end d) "quickfix" t))
(unless (napi-fix-wait #'buffer-modified-p 15)
  (napi-fix-say "the quick fix changed nothing")
  (kill-emacs 4))
(save-some-buffers t)
(napi-fix-say "saved")
(unless (napi-fix-wait (lambda () (not (napi-fix-napi001))) 15)
  (napi-fix-say "NAPI001 still reported after the fix")
  (kill-emacs 5))
(napi-fix-say "clean")
(kill-emacs 0)
