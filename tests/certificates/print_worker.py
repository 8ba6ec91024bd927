"""`celery -A tests.certificates.print_worker worker -Q print`: the production worker (fairapp.worker, from the
same environment) with a chunk lease and a broker visibility timeout of FAIRAPP_TEST_LEASE seconds, and a look
for dead workers' tasks every second, so a test that kills a worker sees its chunk taken again in seconds."""
import os

from fairapp.worker import celery, flask_app

seconds = int(os.environ.get("FAIRAPP_TEST_LEASE", "3"))
flask_app.config["CERTIFICATE_CHUNK_LEASE"] = seconds
# Look for unacknowledged tasks of dead workers every second (kombu: every 10 s x a throttle of 10).
celery.conf.broker_transport_options = {**celery.conf.broker_transport_options, "visibility_timeout": seconds,
                                        "unacked_restore_interval": 1, "unacked_restore_throttle": 1}
app = celery
