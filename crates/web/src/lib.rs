//! Spil's HTTP face: server-rendered Dutch pages and the JSON API (`/api/v1`, OpenAPI),
//! both thin over the use cases of `spil-app`.

#![deny(clippy::unwrap_used, clippy::expect_used)]

pub mod api;
pub mod assets;
pub mod error;
pub mod listener;
pub mod pages;
mod pdf;
mod security;

use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::Router;
use spil_app::App;
use tokio::net::TcpListener;

/// Largest request body accepted (413 above it).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// What the server needs to start.
#[derive(Debug, Clone)]
pub struct Settings {
    pub database_url: String,
    pub listen: SocketAddr,
    /// Mark cookies `Secure`. Browsers accept secure cookies on http://localhost too, so
    /// this is on by default; switch it off only for plain-HTTP test set-ups on other hosts.
    pub secure_cookies: bool,
    /// A connection that moves no bytes for this long is closed.
    pub idle_timeout: Duration,
    /// A folder of municipality token themes (`<code>.css`) added to the built-in ones.
    pub themes_dir: Option<std::path::PathBuf>,
}

/// The default idle timeout of a connection.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(20);

#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub secure_cookies: bool,
    pub themes: std::sync::Arc<assets::Themes>,
}

/// The whole HTTP application: pages, API, static files and the security headers.
pub fn router(state: AppState) -> Router {
    let (api_router, _) = api::router().split_for_parts();
    Router::new()
        .merge(pages::router())
        .merge(assets::router())
        .merge(api_router)
        .fallback(pages::not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn(security::headers))
        .layer(
            tower_http::compression::CompressionLayer::new()
                .gzip(true)
                .br(true),
        )
        .with_state(state)
}

/// A bound, not yet running server; `main` and the tests start Spil the same way.
pub struct Application {
    listener: TcpListener,
    idle_timeout: Duration,
    router: Router,
    app: App,
}

impl Application {
    pub async fn build(
        settings: &Settings,
        policies: spil_app::PolicySet,
    ) -> Result<Application, spil_app::AppError> {
        let app = App::connect_with(&settings.database_url, policies).await?;
        Self::with_app(app, settings).await
    }

    pub async fn with_app(
        app: App,
        settings: &Settings,
    ) -> Result<Application, spil_app::AppError> {
        let listener = TcpListener::bind(settings.listen).await.map_err(|e| {
            spil_app::AppError::Internal(format!("cannot listen on {}: {e}", settings.listen))
        })?;
        let themes = assets::Themes::load(settings.themes_dir.as_deref())
            .map_err(|e| spil_app::AppError::Internal(format!("theme: {e}")))?;
        let router = router(AppState {
            app: app.clone(),
            secure_cookies: settings.secure_cookies,
            themes: std::sync::Arc::new(themes),
        });
        Ok(Application {
            listener,
            idle_timeout: settings.idle_timeout,
            router,
            app,
        })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let app = self.app.clone();
        tokio::spawn(run_jobs(self.app.clone()));
        tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_secs(3600));
            loop {
                every.tick().await;
                if let Err(error) = app.purge_sessions().await {
                    tracing::warn!(%error, "purging expired sessions failed");
                }
            }
        });
        axum::serve(
            listener::IdleListener::new(self.listener, self.idle_timeout),
            self.router
                .into_make_service_with_connect_info::<listener::Peer>(),
        )
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
    }
}

/// The background jobs of this server. Each runs once per period across all servers on the
/// database (see `spil_app::jobs`); this loop only asks, every minute, whether one is due.
async fn run_jobs(app: App) {
    let holder = uuid::Uuid::new_v4().to_string();
    let checkpoint = spil_app::jobs::Job {
        name: spil_app::jobs::CHECKPOINT,
        every: app.config().checkpoint_every,
    };
    let minute = Duration::from_secs(60);
    let mut every = tokio::time::interval_at(tokio::time::Instant::now() + minute, minute);
    loop {
        every.tick().await;
        match app.run_job_once(checkpoint, &holder).await {
            Ok(true) => tracing::info!(job = checkpoint.name, "job ran"),
            Ok(false) => {}
            Err(error) => tracing::error!(job = checkpoint.name, %error, "job failed"),
        }
    }
}
