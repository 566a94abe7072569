"""Headless Chromium driven over the DevTools protocol on a pipe (no sockets, stdlib only).

With `--remote-debugging-pipe`, Chromium reads protocol commands from file
descriptor 3 and writes replies to descriptor 4, each a JSON message ended by
a NUL byte. A test can then open a page, read its rendered text (through
shadow roots, which `--dump-dom` leaves out) and take a screenshot.
"""
import base64
import json
import os
import shutil
import subprocess
import time

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu",
                  "--disable-background-networking", "--no-first-run",
                  # Loopback only: no proxy, and every other host name fails to resolve.
                  "--no-proxy-server", "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
                  "--window-size=1280,900"]

# Every non-empty text node of the page, descending into shadow roots.
_PAGE_TEXT = """(() => {
  const texts = [];
  const walk = (node) => {
    if (node.shadowRoot) walk(node.shadowRoot);
    for (const child of node.childNodes) {
      if (child.nodeType === Node.TEXT_NODE) {
        const text = child.textContent.trim();
        if (text) texts.push(text);
      } else {
        walk(child);
      }
    }
  };
  if (document.body) walk(document.body);
  return texts;
})()"""


def find_chromium():
    return shutil.which("chromium") or shutil.which("chromium-browser")


class Chromium:
    """A headless Chromium process this test started; `close()` ends it by its pid."""

    def __init__(self, executable, profile_dir):
        command_read, command_write = os.pipe()
        reply_read, reply_write = os.pipe()

        def wire_descriptors():                 # in the child: commands on 3, replies on 4
            high_read, high_write = os.dup(command_read), os.dup(reply_write)   # both > 4
            os.dup2(high_read, 3)
            os.dup2(high_write, 4)
        self.process = subprocess.Popen(
            [executable, *CHROMIUM_FLAGS, f"--user-data-dir={profile_dir}",
             "--remote-debugging-pipe", "about:blank"],
            pass_fds=(3, 4), preexec_fn=wire_descriptors,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(command_read)
        os.close(reply_write)
        self._commands, self._replies = command_write, reply_read
        self._buffer = b""
        self._next_id = 0
        self._session = None

    def call(self, method, session=True, **params):
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params}
        if session and self._session:
            message["sessionId"] = self._session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read_message()
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]

    def _read_message(self):
        while b"\0" not in self._buffer:
            chunk = os.read(self._replies, 1 << 16)
            if not chunk:
                raise RuntimeError("Chromium closed its DevTools pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def open(self, url):
        target = self.call("Target.createTarget", session=False, url=url)["targetId"]
        self._session = self.call("Target.attachToTarget", session=False, targetId=target,
                                  flatten=True)["sessionId"]

    def texts(self):
        result = self.call("Runtime.evaluate", expression=_PAGE_TEXT, returnByValue=True)
        return result["result"].get("value") or []

    def wait_for_texts(self, wanted, timeout=60.0):
        """Polls the page until every string in `wanted` is a text node and the text has
        stopped changing (charts drawn); returns the texts. The deadline only bounds a hang."""
        deadline = time.monotonic() + timeout
        previous, stable = None, 0
        while time.monotonic() < deadline:
            texts = self.texts()
            if all(w in texts for w in wanted):
                stable = stable + 1 if texts == previous else 0
                if stable >= 5:
                    return texts
            previous = texts
            time.sleep(0.2)
        return self.texts()

    def screenshot(self, path):
        data = self.call("Page.captureScreenshot", format="png")["data"]
        with open(path, "wb") as file:
            file.write(base64.b64decode(data))

    def close(self):
        try:
            self.call("Browser.close", session=False)
        except (RuntimeError, OSError):
            pass
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.kill(self.process.pid, 9)
            self.process.wait()
        os.close(self._commands)
        os.close(self._replies)
