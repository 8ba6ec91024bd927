"""The Celery worker's and beat's entry point: `celery -A fairapp.worker worker -Q mail,print,default`
and `celery -A fairapp.worker beat`. The Flask app is made once per worker process, from the same
settings as the web servers (DATABASE_URL, CELERY_BROKER_URL, STORAGE_URL, SECRET_KEY...)."""
from fairapp import create_app

flask_app = create_app()
celery = flask_app.extensions["celery"]
app = celery  # what `celery -A fairapp.worker` looks for
