//! One client's queue of frames waiting to be written, bounded in bytes.
//! Notifications never wait: when the budget is spent the subscription is
//! dropped and the client is told to `resync`, so a client that does not
//! read costs a bounded amount of memory and never holds up the others.
//! Responses wait for room instead (the client's own requests slow down).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use tokio::sync::{Notify, mpsc};

/// A serialized message with its trailing newline.
pub type Frame = Arc<[u8]>;

pub struct Outbox {
    tx: mpsc::UnboundedSender<Frame>,
    queued: AtomicUsize,
    budget: usize,
    room: Notify,
    closed: AtomicBool,
}

/// The writer's end: frames in order, and the hook that frees their bytes.
pub struct OutboxReceiver {
    rx: mpsc::UnboundedReceiver<Frame>,
    outbox: Arc<Outbox>,
}

impl Outbox {
    pub fn new(budget: usize) -> (Arc<Self>, OutboxReceiver) {
        let (tx, rx) = mpsc::unbounded_channel();
        let outbox = Arc::new(Self {
            tx,
            queued: AtomicUsize::new(0),
            budget: budget.max(1),
            room: Notify::new(),
            closed: AtomicBool::new(false),
        });
        let receiver = OutboxReceiver {
            rx,
            outbox: outbox.clone(),
        };
        (outbox, receiver)
    }

    /// Queues a notification if it fits the budget; false means the client
    /// is too far behind.
    pub fn try_push(&self, frame: Frame) -> bool {
        let len = frame.len();
        let mut queued = self.queued.load(Ordering::Acquire);
        loop {
            if queued > 0 && queued + len > self.budget {
                return false;
            }
            match self.queued.compare_exchange_weak(
                queued,
                queued + len,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => break,
                Err(now) => queued = now,
            }
        }
        self.send(frame)
    }

    /// Queues a frame regardless of the budget: the `subscribe` result and
    /// the one `resync` notice (each at most once per subscription).
    pub fn push_forced(&self, frame: Frame) -> bool {
        self.queued.fetch_add(frame.len(), Ordering::AcqRel);
        self.send(frame)
    }

    /// Queues a response once there is room for it.
    pub async fn push(&self, frame: Frame) -> bool {
        loop {
            if self.try_push(frame.clone()) {
                return true;
            }
            if self.is_closed() {
                return false;
            }
            self.room.notified().await;
        }
    }

    pub fn queued_bytes(&self) -> usize {
        self.queued.load(Ordering::Acquire)
    }

    pub fn close(&self) {
        self.closed.store(true, Ordering::Release);
        self.room.notify_one();
    }

    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire) || self.tx.is_closed()
    }

    fn send(&self, frame: Frame) -> bool {
        let len = frame.len();
        if self.tx.send(frame).is_err() {
            self.queued.fetch_sub(len, Ordering::AcqRel);
            return false;
        }
        true
    }
}

impl OutboxReceiver {
    pub async fn recv(&mut self) -> Option<Frame> {
        self.rx.recv().await
    }

    #[cfg(test)]
    pub fn rx_try(&mut self) -> Result<Frame, mpsc::error::TryRecvError> {
        self.rx.try_recv()
    }

    /// Called once a frame is written: its bytes no longer count.
    pub fn written(&self, frame: &Frame) {
        self.outbox.queued.fetch_sub(frame.len(), Ordering::AcqRel);
        self.outbox.room.notify_one();
    }
}

impl Drop for OutboxReceiver {
    fn drop(&mut self) {
        self.outbox.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(n: usize) -> Frame {
        vec![b'x'; n].into()
    }

    #[tokio::test]
    async fn notifications_beyond_the_budget_are_refused() {
        let (outbox, mut rx) = Outbox::new(10);
        assert!(outbox.try_push(frame(6)));
        assert!(!outbox.try_push(frame(6)), "over budget");
        assert!(outbox.push_forced(frame(3)));
        assert_eq!(outbox.queued_bytes(), 9);
        let first = rx.recv().await.unwrap();
        rx.written(&first);
        assert!(outbox.try_push(frame(6)), "room again");
    }

    #[tokio::test]
    async fn one_frame_larger_than_the_budget_still_goes_when_empty() {
        let (outbox, _rx) = Outbox::new(4);
        assert!(outbox.try_push(frame(100)));
    }

    #[tokio::test]
    async fn responses_wait_for_room() {
        let (outbox, mut rx) = Outbox::new(10);
        assert!(outbox.try_push(frame(8)));
        let waiting = {
            let outbox = outbox.clone();
            tokio::spawn(async move { outbox.push(frame(8)).await })
        };
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished());
        let first = rx.recv().await.unwrap();
        rx.written(&first);
        assert!(waiting.await.unwrap());
    }
}
