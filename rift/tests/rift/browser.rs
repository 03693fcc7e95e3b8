//! Headless Chromium (Debian's `chromium`) driven by its own flags: `--dump-dom` gives the DOM
//! after the page's script ran, `--screenshot` a PNG, `--enable-logging=stderr` every console
//! message. No DevTools-protocol client: what a test asserts, the page writes into its DOM (data
//! attributes, text), and a link is followed by loading the page at the link's target (`#call=N`),
//! which is what a click does.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A page as the browser left it.
pub struct Page {
    /// The DOM after the page's script ran, serialised.
    pub dom: String,
    /// Console messages and uncaught errors, one a line.
    pub console: Vec<String>,
}

impl Page {
    /// The value of `attr` on the first element whose tag text contains `marker` (e.g. `id="x"`).
    pub fn attr(&self, marker: &str, attr: &str) -> Option<String> {
        let at = self.dom.find(marker)?;
        let start = self.dom[..at].rfind('<')?;
        let end = at + self.dom[at..].find('>')?;
        let tag = &self.dom[start..end];
        let key = format!("{attr}=\"");
        let v = tag.find(&key)? + key.len();
        Some(tag[v..v + tag[v..].find('"')?].to_string())
    }

    /// The text of the first element with `id`, tags stripped.
    pub fn text_of(&self, id: &str) -> Option<String> {
        let at = self.dom.find(&format!("id=\"{id}\""))?;
        let open = at + self.dom[at..].find('>')? + 1;
        let tag_start = self.dom[..at].rfind('<')? + 1;
        let name: String = self.dom[tag_start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        let close = open + self.dom[open..].find(&format!("</{name}>"))?;
        let mut text = String::new();
        let mut in_tag = false;
        for c in self.dom[open..close].chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => text.push(c),
                _ => {}
            }
        }
        Some(text)
    }
}

/// Where the screenshots of this test binary go (kept after the run, under target/).
pub fn shots() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot directory");
    dir
}

/// Runs chromium headless with `args` then `url`, in a profile of its own, for at most 90 s.
fn chromium(args: &[String], url: &str) -> (String, String) {
    let profile = std::env::temp_dir().join(format!(
        "rift-chromium-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    let mut child = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(url)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("chromium runs (scripts/setup installs Debian's chromium)");
    let (mut out, mut err) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut out, &mut s).ok();
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut err, &mut s).ok();
        s
    });
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        if child.try_wait().expect("wait for chromium").is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium took more than 90 s on {url}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = std::fs::remove_dir_all(&profile);
    (reader.join().unwrap(), err_reader.join().unwrap())
}

/// Loads `url` at `width` x `height` pixels; with `shot`, also saves a screenshot there.
pub fn load(url: &str, width: u32, height: u32, shot: Option<&Path>) -> Page {
    let size = format!("--window-size={width},{height}");
    let (dom, log) = chromium(&["--dump-dom".into(), size.clone()], url);
    if let Some(path) = shot {
        chromium(&[format!("--screenshot={}", path.display()), size], url);
        assert!(path.is_file(), "chromium wrote no screenshot of {url}");
    }
    let console = log
        .lines()
        .filter(|l| l.contains(":CONSOLE") || l.contains("Uncaught"))
        .map(str::to_string)
        .collect();
    Page { dom, console }
}

/// The file URL of `path`.
pub fn file_url(path: &Path) -> String {
    format!(
        "file://{}",
        std::fs::canonicalize(path).expect("page exists").display()
    )
}
