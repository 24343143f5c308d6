// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice USDT-style token: `transfer`, `transferFrom` and `approve` return nothing.
/// With `returnFalse` set, they instead return `false` without moving anything.
contract NoReturnToken {
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;
    bool public failSilently;

    function setFailSilently(bool on) external {
        failSilently = on;
    }

    function mint(address to, uint256 amount) external {
        balanceOf[to] += amount;
    }

    function approve(address spender, uint256 amount) external {
        allowance[msg.sender][spender] = amount;
    }

    function transfer(address to, uint256 amount) external {
        if (failSilently) _returnFalse();
        _move(msg.sender, to, amount);
    }

    function transferFrom(address from, address to, uint256 amount) external {
        if (failSilently) _returnFalse();
        allowance[from][msg.sender] -= amount;
        _move(from, to, amount);
    }

    function _move(address from, address to, uint256 amount) private {
        balanceOf[from] -= amount;
        balanceOf[to] += amount;
    }

    function _returnFalse() private pure {
        assembly {
            mstore(0, 0)
            return(0, 32)
        }
    }
}
