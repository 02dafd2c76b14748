FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY . .
RUN pip install --no-cache-dir .
RUN useradd --create-home app && mkdir -p /app/var /app/staticfiles && chown -R app /app
USER app
EXPOSE 8000
