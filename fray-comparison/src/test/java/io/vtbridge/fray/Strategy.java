package io.vtbridge.fray;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** The scheduler's name in the CSV's "strategy" column. */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@interface Strategy {
    String value();
}
