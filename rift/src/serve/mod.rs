//! `rift serve`: a local web server over a run store. `/` lists every run (see [`index`]);
//! `/runs/<path>` serves the store's files read-only, refusing any path that leaves the store
//! (see [`files`]); a run's `report.html` that was never written is drawn on request (not
//! written: the store is only read).

mod files;
mod index;
mod runs;

use axum::extract::{Path as UrlPath, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use files::Refused;
use std::fmt::Write;
use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

/// What every request sees.
struct Served {
    /// The store, canonical.
    root: PathBuf,
    runs: runs::Runs,
}

/// Serves `store` on `addr` until Ctrl-C (SIGINT) or SIGTERM; prints the address it listens on.
pub fn serve(store: PathBuf, addr: SocketAddr) -> anyhow::Result<()> {
    let root = std::fs::canonicalize(&store)
        .map_err(|e| anyhow::anyhow!("cannot open the store {}: {e}", store.display()))?;
    let state = Arc::new(Served {
        root,
        runs: runs::Runs::default(),
    });
    // Read every run once at start, so that the first index is as quick as the next ones.
    let warm = state.clone();
    std::thread::spawn(move || warm.runs.list(&warm.root));
    let app = Router::new()
        .route("/", get(index_page))
        .route("/runs/{*path}", get(store_file))
        .route("/runs/", get(index_page))
        .with_state(state.clone());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {addr}: {e}"))?;
        let local = listener.local_addr()?;
        println!(
            "rift serve: http://{local}/ serving {} read-only (Ctrl-C to stop)",
            state.root.display()
        );
        std::io::stdout().flush()?;
        axum::serve(listener, app)
            .with_graceful_shutdown(stopped())
            .await?;
        anyhow::Ok(())
    })
}

/// Resolves when the process is asked to stop (SIGINT or SIGTERM).
async fn stopped() {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term => {}
    }
}

async fn index_page(State(s): State<Arc<Served>>, Query(filter): Query<index::Filter>) -> Response {
    let served = s.clone();
    let page = tokio::task::spawn_blocking(move || {
        let runs = served.runs.list(&served.root);
        index::page(&served.root.display().to_string(), &runs, &filter)
    })
    .await;
    match page {
        Ok(html) => Html(html).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

async fn store_file(State(s): State<Arc<Served>>, UrlPath(path): UrlPath<String>) -> Response {
    let served = s.clone();
    tokio::task::spawn_blocking(move || file_response(&served, &path))
        .await
        .unwrap_or_else(|e| (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response())
}

fn file_response(s: &Served, path: &str) -> Response {
    match files::resolve(&s.root, path) {
        Ok(p) if p.is_dir() => Html(listing(&s.root, &p)).into_response(),
        Ok(p) => match std::fs::read(&p) {
            Ok(bytes) => ([(header::CONTENT_TYPE, files::content_type(&p))], bytes).into_response(),
            Err(e) => (StatusCode::FORBIDDEN, format!("cannot read {path}: {e}")).into_response(),
        },
        Err(Refused::Outside) => (
            StatusCode::FORBIDDEN,
            format!("{path}: outside the store; refused"),
        )
            .into_response(),
        Err(Refused::Missing) => drawn_report(s, path).unwrap_or_else(|| {
            (StatusCode::NOT_FOUND, format!("{path}: not in the store")).into_response()
        }),
    }
}

/// The report of a run that has none written, drawn now.
fn drawn_report(s: &Served, path: &str) -> Option<Response> {
    let dir = path.strip_suffix("/report.html")?;
    let dir = files::resolve(&s.root, dir).ok()?;
    if !dir.join("run.json").is_file() {
        return None;
    }
    Some(
        match crate::cli::report::stored::render_run(&dir, Some(&dir)) {
            Ok((html, _)) => Html(html).into_response(),
            Err(e) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("cannot draw the report of {}: {e:#}", dir.display()),
            )
                .into_response(),
        },
    )
}

/// A directory's entries as links.
fn listing(root: &std::path::Path, dir: &std::path::Path) -> String {
    let rel = dir.strip_prefix(root).unwrap_or(dir).to_string_lossy();
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| {
                    let mut n = e.file_name().to_string_lossy().into_owned();
                    if e.path().is_dir() {
                        n.push('/');
                    }
                    n
                })
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let base = if rel.is_empty() {
        "/runs".to_string()
    } else {
        format!("/runs/{rel}")
    };
    let mut out = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{}</title></head><body>\
         <p><a href=\"/\">all runs</a></p><h1>{}</h1><ul>",
        report::escape(&rel),
        report::escape(&rel)
    );
    for n in names {
        let _ = write!(
            out,
            "<li><a href=\"{}/{}\">{}</a></li>",
            report::escape(&base),
            report::escape(&n),
            report::escape(&n)
        );
    }
    out.push_str("</ul></body></html>");
    out
}
