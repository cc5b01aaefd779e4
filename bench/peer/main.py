"""The FastAPI + SQLModel peer: a typical Hackathon II Phase II backend, the four measured routes.

Written the way such backends usually are (and nothing more): FastAPI, SQLModel on a sync
SQLAlchemy engine (psycopg 3, `pool_pre_ping=True` as Neon guides recommend), a `Session(engine)`
dependency per request, sync `def` endpoints (FastAPI runs them in its thread pool), PyJWT HS256
verification of the Bearer token whose `sub` must equal the `{user_id}` in the path, and
`response_model`s for validation and serialisation. Run by bench/run.sh under uvicorn, one worker.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/peer_bench BETTER_AUTH_SECRET=... \
        uvicorn main:app --app-dir bench/peer --workers 1 --no-access-log
"""

import os
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Annotated

import jwt
from fastapi import Depends, FastAPI, HTTPException, status
from fastapi.middleware.cors import CORSMiddleware
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Field, Session, SQLModel, create_engine, select

DATABASE_URL = os.environ["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1)
BETTER_AUTH_SECRET = os.environ["BETTER_AUTH_SECRET"]

engine = create_engine(DATABASE_URL, pool_pre_ping=True)


def utcnow() -> datetime:
    return datetime.now(UTC)


# --- models -------------------------------------------------------------------------------


class TaskBase(SQLModel):
    title: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=1000)


class Task(TaskBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    user_id: str = Field(index=True)
    completed: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class TaskCreate(TaskBase):
    pass


class TaskRead(TaskBase):
    id: int
    user_id: str
    completed: bool
    created_at: datetime
    updated_at: datetime


# --- database and auth dependencies -------------------------------------------------------


def get_session():
    with Session(engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]
bearer = HTTPBearer()


def verify_jwt(credentials: Annotated[HTTPAuthorizationCredentials, Depends(bearer)]) -> dict:
    try:
        return jwt.decode(credentials.credentials, BETTER_AUTH_SECRET, algorithms=["HS256"])
    except jwt.ExpiredSignatureError:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Token expired") from None
    except jwt.InvalidTokenError:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Invalid token") from None


def current_user(user_id: str, payload: Annotated[dict, Depends(verify_jwt)]) -> str:
    if payload.get("sub") != user_id:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Not allowed to access this user's tasks")
    return user_id


UserDep = Annotated[str, Depends(current_user)]


# --- app and routes -----------------------------------------------------------------------


@asynccontextmanager
async def lifespan(app: FastAPI):
    SQLModel.metadata.create_all(engine)
    yield


app = FastAPI(title="Todo API", lifespan=lifespan)
app.add_middleware(
    CORSMiddleware,
    allow_origins=[os.environ.get("FRONTEND_URL", "http://localhost:3000")],
    allow_credentials=True,
    allow_methods=["*"],
    allow_headers=["*"],
)


@app.get("/health")
def health():
    return {"status": "ok"}


def get_task_or_404(session: Session, user_id: str, task_id: int) -> Task:
    task = session.exec(select(Task).where(Task.id == task_id, Task.user_id == user_id)).first()
    if task is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Task not found")
    return task


@app.get("/api/{user_id}/tasks", response_model=list[TaskRead])
def list_tasks(user_id: UserDep, session: SessionDep):
    statement = select(Task).where(Task.user_id == user_id).order_by(Task.created_at.desc())
    return session.exec(statement).all()


@app.post("/api/{user_id}/tasks", response_model=TaskRead, status_code=status.HTTP_201_CREATED)
def create_task(user_id: UserDep, task_in: TaskCreate, session: SessionDep):
    task = Task.model_validate(task_in, update={"user_id": user_id})
    session.add(task)
    session.commit()
    session.refresh(task)
    return task


@app.get("/api/{user_id}/tasks/{task_id}", response_model=TaskRead)
def get_task(user_id: UserDep, task_id: int, session: SessionDep):
    return get_task_or_404(session, user_id, task_id)


@app.patch("/api/{user_id}/tasks/{task_id}/complete", response_model=TaskRead)
def toggle_task(user_id: UserDep, task_id: int, session: SessionDep):
    task = get_task_or_404(session, user_id, task_id)
    task.completed = not task.completed
    task.updated_at = utcnow()
    session.add(task)
    session.commit()
    session.refresh(task)
    return task
