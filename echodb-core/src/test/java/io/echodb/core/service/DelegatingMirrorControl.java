package io.echodb.core.service;

import io.echodb.core.model.MirrorName;
import io.echodb.core.model.MirrorSpec;
import io.echodb.core.model.MirrorStatus;
import io.echodb.core.port.in.MirrorControl;
import java.util.List;
import java.util.Optional;

/** Passes every call to another engine; tests override single methods to inject behaviour. */
class DelegatingMirrorControl implements MirrorControl {

    private final MirrorControl delegate;

    DelegatingMirrorControl(MirrorControl delegate) {
        this.delegate = delegate;
    }

    @Override
    public MirrorStatus create(MirrorSpec spec) {
        return delegate.create(spec);
    }

    @Override
    public void drop(MirrorName name, boolean dropTarget) {
        delegate.drop(name, dropTarget);
    }

    @Override
    public void pause(MirrorName name) {
        delegate.pause(name);
    }

    @Override
    public void resume(MirrorName name) {
        delegate.resume(name);
    }

    @Override
    public Optional<MirrorStatus> rename(MirrorName name, MirrorSpec to) {
        return delegate.rename(name, to);
    }

    @Override
    public void resync(MirrorName name) {
        delegate.resync(name);
    }

    @Override
    public List<MirrorStatus> list() {
        return delegate.list();
    }

    @Override
    public Optional<MirrorStatus> status(MirrorName name) {
        return delegate.status(name);
    }
}
