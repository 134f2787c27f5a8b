FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-wqy-microhei gettext \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# throwaway keys for the build steps only: the running container refuses to start without
# its own (settings._secret)
RUN export DJANGO_SECRET_KEY=build-only FIELD_HASH_KEY=build-only \
      FIELD_ENCRYPTION_KEYS=$(python -c "import base64,os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())") \
    && python manage.py compilemessages --ignore=.venv -v 0 \
    && python manage.py collectstatic --noinput -v 0
RUN useradd --create-home --uid 1000 app && mkdir -p /app/var && chown -R app /app/var
USER app
EXPOSE 8000
CMD ["gunicorn", "agency.wsgi", "--bind", "0.0.0.0:8000", "--workers", "4", "--timeout", "60"]
