# The app image: gateway and action server (Python 3.11). Pinned by requirements/app.lock.
FROM python:3.11-slim
WORKDIR /app
COPY requirements/app.lock requirements/app.lock
RUN pip install --no-cache-dir -r requirements/app.lock
COPY pyproject.toml README.md ./
COPY bot bot
COPY actions actions
COPY domain.yml ./
COPY directory directory
RUN pip install --no-cache-dir --no-deps -e .
RUN useradd --system --uid 10001 voordeur && mkdir -p /app/data && chown voordeur /app/data
USER voordeur
ENV VOORDEUR_DATA_DIR=/app/data
EXPOSE 8080 5055
CMD ["voordeur", "gateway", "--host", "0.0.0.0"]
